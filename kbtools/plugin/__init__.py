"""The MkDocs adapter of kbtools: the `kb` plugin and the members block extension."""
