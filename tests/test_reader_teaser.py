"""The members teaser says how many answers members can read, and nothing else about them.

Non-interference with the teaser in both settings: the public site built from the whole
knowledge base is compared with the public site built after every members topic, passage and
file was deleted. Teaser off: byte for byte the same. Teaser on: the same once the teaser
paragraphs are removed, and those paragraphs hold nothing but a count.
"""

from __future__ import annotations

import re
import shutil

import pytest

from kbtools.core.reading.loading import load
from kbtools.core.site import teaser
from kbtools.core.site.plan import Site, plan, url_path

from .conftest import ROOT, Project, topic, tree_digest

MEMBERS_BLOCK = re.compile(r"^/// members\n.*?^///\n", re.S | re.M)


def with_teaser(text: str, on: bool) -> str:
    out, n = re.subn(r"(?m)^(\s*members_teaser:).*$", rf"\1 {'true' if on else 'false'}", text)
    assert n == 1
    return out


def real_kb(p: Project) -> None:
    shutil.rmtree(p.content)
    shutil.copytree(ROOT / "content", p.content)


def strip_members(p: Project) -> int:
    """Delete every members topic, passage and file; returns how many topics went."""
    kb = load(p.content)
    public = plan(kb, Site.PUBLIC)
    gone = [path for path in kb.topics if path not in public.topics]
    for path in gone:
        (p.content / path).unlink()
    for asset in kb.assets - public.assets:
        (p.content / asset).unlink()
    for path in public.topics:
        f = p.content / path
        text = MEMBERS_BLOCK.sub("", f.read_text())
        for g in gone:  # `related:` entries to deleted topics
            text = re.sub(rf",?\s*{re.escape(g)}", "", text).replace("[, ", "[")
        f.write_text(text)
    return len(gone)


def without_teasers(site: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    cleaned, found = {}, []
    for path, data in site.items():
        if path.endswith(".html"):
            text = data.decode()
            found += [(path, m.group(0)) for m in re.finditer(r"<p class=\"kb-teaser\".*?</p>",
                                                               text)]
            # The paragraph goes, and the blank lines Markdown put around it.
            data = re.sub(r"\s*<p class=\"kb-teaser\".*?</p>\s*", "\n", text).encode()
        cleaned[path] = data
    return cleaned, found


def squeeze(data: bytes) -> str:
    return re.sub(r"\s+", " ", data.decode())


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], dict[str, bytes]]:
    root = tmp_path_factory.mktemp("teaser")
    config = (ROOT / "mkdocs.yml").read_text()
    out = {}
    for on in (True, False):
        for kind in ("with", "without"):
            p = Project(root / f"{kind}-{on}", with_teaser(config, on))
            real_kb(p)
            if kind == "without":
                assert strip_members(p) == len(members_only())
            out[kind, on] = tree_digest(p.build(Site.PUBLIC))
    return out


def test_teaser_off_members_content_changes_nothing(builds) -> None:
    a, b = builds["with", False], builds["without", False]
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert not any(b"kb-teaser" in data for path, data in a.items() if path.endswith(".html"))


def test_teaser_on_members_content_changes_only_the_counts(builds) -> None:
    a, b = builds["with", True], builds["without", True]
    assert a.keys() == b.keys()
    changed = sorted(k for k in a if a[k] != b[k])
    # Listings (home, audience and subject pages) and public topics with members passages.
    kb = load(ROOT / "content")
    with_passages = {url_path(p) + "index.html" for p, t in plan(kb, Site.PUBLIC).topics.items()
                     if t.public_body() != t.body}
    assert with_passages  # content/ has public topics with members passages
    listings = {"for/advertisers/index.html", "for/publishers/index.html", "index.html"}
    assert listings <= set(changed) and with_passages <= set(changed)
    assert set(changed) - listings - with_passages <= {
        k for k in changed if k.count("/") == 1 and k.endswith("/index.html")}  # subjects
    cleaned, teasers = without_teasers(a)
    for k in changed:  # whitespace aside, nothing but the teasers differs
        assert squeeze(cleaned[k]) == squeeze(without_teasers(b)[0][k])
    assert teasers and all(teaser.PATTERN.fullmatch(t) for _, t in teasers)
    assert without_teasers(b)[1] == []


def members_only() -> list:
    kb = load(ROOT / "content")
    public = plan(kb, Site.PUBLIC)
    return [t for p, t in plan(kb, Site.MEMBERS).topics.items() if p not in public.topics]


def test_teaser_counts_per_subject_and_audience(builds) -> None:
    site = builds["with", True]
    hidden = members_only()
    assert hidden  # content/ has members topics, or this test proves nothing
    home = site["index.html"].decode()
    counts = [int(n) for n in re.findall(r'kb-teaser__count">(\d+)<', home)]
    assert counts == [len(hidden)]
    assert 'href="https://members.support.example.invalid/">sign in</a>' in home
    in_passwords = sum(t.subject == "accounts-and-passwords" for t in hidden)
    assert in_passwords
    subject = site["accounts-and-passwords/index.html"].decode()
    assert re.findall(r'kb-teaser__count">(\d+)<', subject) == [str(in_passwords)]
    # "sign in" leads to the same subject's page on the members site.
    assert ('href="https://members.support.example.invalid/accounts-and-passwords/">sign in'
            in subject)
    advertisers = site["for/advertisers/index.html"].decode()
    assert sum(int(n) for n in re.findall(r'kb-teaser__count">(\d+)<', advertisers)) == \
        sum("advertiser" in t.audience for t in hidden)


def test_a_topic_with_members_passages_leads_to_its_members_page(builds) -> None:
    site = builds["with", True]
    page = site["getting-started/new-to-affiliate-marketing/index.html"].decode()
    assert ('Members see more of this answer — <a href="https://members.support.example.invalid/'
            'getting-started/new-to-affiliate-marketing/">sign in</a>') in page
    plain = site["accounts-and-passwords/reset-password/index.html"].decode()
    assert "kb-teaser" not in plain  # nothing left out, nothing to tease


def test_teaser_names_no_subject_without_public_topics(project: Project) -> None:
    project.write("open/a.md", topic("An open answer"))
    project.write("open/b.md", topic("A closed answer", visibility="members"))
    project.write("secret-subject/c.md", topic("Another closed one", visibility="members"))
    public = project.build(Site.PUBLIC)
    home = (public / "index.html").read_text()
    assert ">2</span> more answers are available to members — " in home
    listing = (public / "for/publishers/index.html").read_text()
    assert ">1</span> more answer is available to members — " in listing
    assert ">1</span> more answer is available to members in other subjects — " in listing
    assert 'href="https://members.support.example.invalid/open/">sign in' in listing
    for page in (home, listing, (public / "llms.txt").read_text()):
        assert "secret" not in page.lower()
    members = project.build(Site.MEMBERS)
    assert "kb-teaser" not in (members / "index.html").read_text()


def test_teaser_line_is_a_count_and_a_link() -> None:
    t = teaser.Teaser(sign_in_url='https://example.invalid/?a=1&b="2"')
    line = teaser.line(3, t).strip()
    assert teaser.PATTERN.fullmatch(line)
    assert "&amp;b=&quot;2&quot;" in line
    assert teaser.line(0, t) == teaser.line(3, teaser.Teaser(enabled=False)) == ""
    assert ">1</span> more answer is available" in teaser.line(1, t)
