"""Stage 2, check: every content check, and the one entry point the build and `kb check` share."""
