"""Search: one Pagefind index per site, built from that site's pages, and audited file by
file, compressed files included.

Each leak test has both sides: the canary is absent from the public index and present in the
members index, so no test passes because nothing was indexed. The audit tests put members
content into the public index the way a faulty indexer would (a members page's fragment,
a members passage in a public fragment, the members index's word chunks, an unreadable file)
and show the build refused, the previous site kept.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kbtools.core.output import pagefind as search_index_mod
from kbtools.core.output import pagefind_files
from kbtools.core.site.plan import Site

from . import search_index
from .conftest import Project, assert_refused, tree_digest
from .test_leaks import CANARIES, write_canary_kb

# The canaries that are words of a members page or passage (not of a file name or URL).
TEXT = ("title", "summary", "tag", "heading", "body", "passage", "passage_heading",
        "passage_list")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path, Path]:
    p = Project(tmp_path_factory.mktemp("search") / "kb")
    write_canary_kb(p)
    return p, p.build(Site.PUBLIC), p.build(Site.MEMBERS)


def index_text(site: Path) -> str:
    return "\n".join(search_index.every_file(site).values()).lower()


@pytest.mark.parametrize("construct", TEXT)
def test_the_public_index_lacks_what_the_members_index_has(built, construct: str) -> None:
    _, public, members = built
    canary = CANARIES[construct]
    assert canary not in index_text(public)
    assert canary in index_text(members)


def test_each_index_holds_its_own_sites_topics(built) -> None:
    _, public, members = built
    slug = CANARIES["slug"]
    assert search_index.paths(public) == {"guides/open/"}
    assert search_index.paths(members) == {"guides/open/", "guides/no-visibility/",
                                           f"{slug}/{slug}/"}
    # Only topic pages: listings, home and tags would outrank the answers they list.
    for doc in search_index.documents(members):
        assert doc["filters"]["audience"], doc["url"]
    public_doc, = search_index.documents(public)
    assert "Everyone can read this first paragraph" in public_doc["content"]
    assert "The end of the public answer." in public_doc["content"]


def test_every_file_pagefind_writes_is_read(built) -> None:
    """The audit's reader decodes each compressed file (none is skipped as binary but the
    engine's WebAssembly), and the scripts are text."""
    _, public, _ = built
    kinds = set()
    for path in (public / "pagefind").rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(public).as_posix()
        if pagefind_files.is_pagefind(rel):
            read = pagefind_files.read(path.read_bytes(), rel)
            assert read.binary == rel.endswith(".pagefind"), rel
            kinds.add(path.suffix)
        else:
            assert rel.endswith((".js", ".json")), rel
    assert kinds == {".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment", ".pagefind"}


# A faulty indexer: the public index gets members content ------------------------------------

def _members_fragment(members: Path, page: str) -> Path:
    for path in (members / "pagefind" / "fragment").glob("*.pf_fragment"):
        if pagefind_files.read(path.read_bytes(), path.name).doc["url"] == f"/{page}":
            return path
    raise AssertionError(f"no fragment for {page}")


def _public_fragment(out: Path) -> Path:
    return next((out / "fragment").glob("*.pf_fragment"))


def _members_topic_fragment(members: Path) -> Callable[[Path], None]:
    slug = CANARIES["slug"]

    def inject(out: Path) -> None:
        shutil.copy(_members_fragment(members, f"{slug}/{slug}/"), out / "fragment")
    return inject


def _members_passage_in_public_fragment(members: Path) -> Callable[[Path], None]:
    def inject(out: Path) -> None:
        shutil.copy(_members_fragment(members, "guides/open/"), _public_fragment(out))
    return inject


def _unreadable(members: Path) -> Callable[[Path], None]:
    def inject(out: Path) -> None:
        _public_fragment(out).write_bytes(b"not what Pagefind writes")
    return inject


FAULTS = {
    "a members topic's fragment": (_members_topic_fragment,
                                   ("KB504", "search index lists", CANARIES["title"])),
    "a members passage in a public fragment": (_members_passage_in_public_fragment,
                                               ("KB500", CANARIES["passage"])),
    "an unreadable index file": (_unreadable, ("KB506", "cannot be read")),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_audit_reads_the_compressed_index(built, fault: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    p, _, members = built
    out = tmp_path / "public"
    p.build(Site.PUBLIC, out)
    before = tree_digest(out)
    make, expected = FAULTS[fault]
    inject = make(members)
    real = search_index_mod.build_index

    def faulty(site_dir, **kwargs):
        folder = real(site_dir, **kwargs)
        inject(folder)
        return folder

    monkeypatch.setattr(search_index_mod, "build_index", faulty)
    assert_refused(p, out, before, caplog, "KB403", *expected)
