"""The MkDocs adapter: the only part of kbtools that imports mkdocs, material, pymdownx or jinja2.

plugin.py receives MkDocs' events and hands each to site_build.py; build.py and serve.py drive
MkDocs for `kb build` and `kb serve`; members_block.py is the one parser of members passages."""
