"""Stage 1, read: the project, the topics' files, their front matter, Markdown structure and facts."""
