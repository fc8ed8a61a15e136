"""Read-only reports: the public surface, stale topics, generated reference documents."""
