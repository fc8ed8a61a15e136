"""Parts of the `kb` command that drive MkDocs (the content commands live in kbtools.core)."""
