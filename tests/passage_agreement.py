"""The differential oracle for members passages: kbtools' verdict against the real renderer.

For one topic body, :func:`verdict` asks kbtools what it makes of the topic (the checks a
build runs on it: block lines, callouts, the renderer-versus-scanner comparison, unclosed
blocks) and, when kbtools accepts the topic, renders it with the site's own Markdown set-up
(mkdocs.yml's extensions) twice, as the members site and as the public site, and returns
everything the two sites must agree on. :func:`assert_agrees` states the promise:

* the words the members site shows inside members callouts are exactly the words the
  public site does not show;
* for a topic with a block, the links and anchors kbtools believes the public page has (what
  its checks and the public plan are made of) are the ones the public page really has.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import markdown
from mkdocs.config import load_config
from selectolax.lexbor import LexborHTMLParser

from kbtools.core.checks import passages
from kbtools.core.checks.content import unclosed_blocks
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.site.plan import public_targets
from kbtools.plugin.members_block import MembersBlockExtension, Mode
from kbtools.plugin.probe import ProbeRenderer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\bw\d+x\b")  # the words generated documents are made of
REFUSING = {"KB200", "KB201", "KB202", "KB203", "KB204"}


@functools.lru_cache(maxsize=1)
def _config() -> tuple[list[object], dict[str, object]]:
    config = load_config(str(ROOT / "mkdocs.yml"))
    return list(config.markdown_extensions), dict(config.mdx_configs)


@functools.lru_cache(maxsize=1)
def probe() -> ProbeRenderer:
    """kbtools' probe, as a build makes it."""
    return ProbeRenderer(*_config())


@functools.lru_cache(maxsize=2)
def _site(mode: Mode) -> markdown.Markdown:
    extensions, configs = _config()
    return markdown.Markdown(extensions=[*extensions, MembersBlockExtension(mode=mode)],
                             extension_configs=configs)


def render(body: str, mode: Mode) -> str:
    """``body`` as the members or the public site's renderer turns it into HTML."""
    md = _site(mode)
    md.reset()
    return md.convert(body)


def topic(body: str, path: str = "a/topic.md") -> tuple[KnowledgeBase, Topic]:
    """A valid public topic whose body (file line 7 on) is ``body``, in its own knowledge base."""
    t = Topic(path, {"title": "T", "audience": ["publisher"], "visibility": "public"},
              {"title": 2}, body, 7, valid=True)
    return KnowledgeBase(root=ROOT, topics={path: t}), t


@dataclass
class Verdict:
    """What kbtools said, and what the two renderers did."""

    codes: list[str]
    messages: list[str]
    members_inside: Counter[str]  # tokens inside members callouts (members site)
    members_outside: Counter[str]  # tokens outside them (members site)
    public: Counter[str]  # tokens of the public page
    public_links: list[str]  # hrefs and srcs of the public page (no permalinks)
    public_ids: set[str]  # element ids of the public page
    known_links: list[str]  # what kbtools believes the public page links to
    known_anchors: set[str]  # and its anchors
    has_blocks: bool

    @property
    def refused(self) -> bool:
        return bool(REFUSING & set(self.codes))


def verdict(body: str) -> Verdict:
    """kbtools' verdict on ``body`` as a public topic, and both sites' renderings of it."""
    kb, t = topic(body)
    readings = passages.Readings(block_names=probe().block_names)
    if t.has_blocks:
        t.reading = readings.by_path[t.path] = passages.read(kb, t, probe())
    found = [*passages.check(kb, readings), *unclosed_blocks(kb)]
    if "KB204" in {d.code for d in found}:
        return Verdict([d.code for d in found], [d.format_text() for d in found], Counter(),
                       Counter(), Counter(), [], set(), [], set(), True)
    members = LexborHTMLParser(render(body, Mode.MEMBERS))
    inside: Counter[str] = Counter()
    for callout in members.css("div.admonition.members"):
        title = callout.css_first("p.admonition-title")
        if title is not None:
            title.decompose()
    for callout in members.css("div.admonition.members"):
        inside.update(TOKEN.findall(callout.text(separator=" ")))
    everything = Counter(TOKEN.findall(members.body.text(separator=" ") if members.body else ""))
    public_html = render(body, Mode.PUBLIC)
    public = LexborHTMLParser(public_html)
    links = [n.attributes.get(a) or "" for n in public.css("a, img")
             for a in ("href", "src") if a in n.attributes
             and "headerlink" not in (n.attributes.get("class") or "")]
    ids = {n.attributes.get("id") or "" for n in public.css("[id]")}
    scan = t.scan()
    anchors = set(t.reading.public_ids) if t.reading is not None else scan.anchors(public=True)
    return Verdict(
        codes=[d.code for d in found], messages=[d.format_text() for d in found],
        members_inside=inside, members_outside=everything - inside,
        public=Counter(TOKEN.findall(public.body.text(separator=" ") if public.body else "")),
        public_links=links, public_ids=ids - {""},
        known_links=public_targets(t), known_anchors=anchors, has_blocks=t.has_blocks)


def assert_agrees(body: str) -> Verdict:
    """The promise for one body: kbtools refuses it, or both sites and the scanner agree."""
    v = verdict(body)
    if v.refused:
        return v
    leaked = set(v.members_inside) & set(v.public)
    assert not leaked, f"members words on the public page: {sorted(leaked)}\n{body}"
    assert v.public == v.members_outside, (
        f"public page {dict(v.public)} != members page outside callouts "
        f"{dict(v.members_outside)}\n{body}")
    if v.has_blocks:
        assert sorted(set(v.known_links)) == sorted(set(v.public_links)), (
            f"kbtools' links {v.known_links} != public page links {v.public_links}\n{body}")
        assert v.known_anchors == v.public_ids, (
            f"kbtools' anchors {v.known_anchors} != public page ids {v.public_ids}\n{body}")
    return v
