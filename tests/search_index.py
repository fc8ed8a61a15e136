"""Read a built site's search index (Pagefind's compressed fragments) in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbtools.core.output import pagefind_files


def documents(site: Path) -> list[dict[str, Any]]:
    """Every page the site's search index holds: url, content (the page's text), meta
    (title), filters (audience), anchors (headings)."""
    docs = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        docs.append(pagefind_files.read(path.read_bytes(), path.name).doc)
    return docs


def paths(site: Path) -> set[str]:
    """The site paths of the pages in the search index (``a/b/``)."""
    return {d["url"].lstrip("/") for d in documents(site)}


def every_file(site: Path) -> dict[str, str]:
    """Every file of the search index as text the tests can search: compressed files
    decoded (JSON or the strings of CBOR), the scripts as they are."""
    out = {}
    for path in sorted((site / "pagefind").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if pagefind_files.is_pagefind(rel):
            read = pagefind_files.read(path.read_bytes(), rel)
            out[rel] = "" if read.binary else repr(read.doc)
        else:
            out[rel] = path.read_text(encoding="utf-8")
    return out
