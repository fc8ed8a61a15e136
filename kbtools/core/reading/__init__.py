"""Stage 1, read: the project, the topics' files, front matter, Markdown structure and facts."""
