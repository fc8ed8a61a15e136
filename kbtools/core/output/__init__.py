"""Stage 4, audit the output: what must never be public, the leak audit, staged output folders."""
