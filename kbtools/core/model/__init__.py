"""The data every stage shares: topics, diagnostics and their codes, the front matter schema."""
