"""The renderer-independent core: load topics, check them, plan each site, audit output.

Nothing in this package imports MkDocs or Material (tests/test_architecture.py checks it).
"""
