"""What must never appear in the public site, derived from the content.

A "secret" is members-only text (a title, summary, heading, sentence, image alt text),
a members-only URL or file, or a tag only members topics use, that does not also occur
in public content. The audit looks for these in every file the public build wrote.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .markdown_scan import scan, without_members
from .sites import resolve, url_path
from .topics import KnowledgeBase, Topic

_WORD = re.compile(r"[^\W_]+")
_FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}|/{3,})")
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_SPLIT = re.compile(r"(?:[.!?;:]+(?:\s|$))|\n|\s[-*+]\s|^\s*(?:[-*+]|\d+[.)])\s", re.M)
CHUNK = 6  # long passages are cut into runs of this many words
MIN_WORDS = 3  # shorter sentences are too common to be evidence of a leak


def words(text: str) -> list[str]:
    """Lowercase words of ``text``, the unit every comparison uses."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True)
class Origin:
    """Where a secret comes from, for the audit's message."""

    kind: str  # title, summary, heading, text, tag, url, file
    path: str  # content path, shown to writers
    line: int
    text: str


class PhraseSet:
    """Word sequences to look for in large texts, fast.

    Each phrase is filed under its rarest word pair (or its word, for one-word phrases), by
    frequency in the public text (see :meth:`index`). Searching a text intersects the text's
    words and word pairs with those keys and confirms each candidate with a substring test on
    the space-joined words: the work per text stays close to linear, with few candidates.
    """

    def __init__(self) -> None:
        self._origins: dict[str, Origin] = {}  # " w1 w2 w3 " -> where it comes from
        self._by_key: dict[str, list[str]] = {}

    def add(self, phrase: tuple[str, ...], origin: Origin) -> None:
        self._origins.setdefault(" " + " ".join(phrase) + " ", origin)

    def index(self, frequency: Counter[str]) -> None:
        """File every phrase under its least frequent key (``frequency`` counts text keys)."""
        self._by_key = {}
        for phrase in self._origins:
            key = min(_phrase_keys(phrase.split()), key=lambda k: (frequency.get(k, 0), -len(k)))
            self._by_key.setdefault(key, []).append(phrase)

    def _candidates(self, seq: list[str], keys: set[str] | None = None,
                    ) -> tuple[str, list[str]]:
        found = self._by_key.keys() & (text_keys(seq) if keys is None else keys)
        if not found:
            return "", []
        return " " + " ".join(seq) + " ", [p for k in found for p in self._by_key[k]]

    def find(self, seq: list[str]) -> Iterator[Origin]:
        """Every phrase that occurs in ``seq`` (call :meth:`index` first)."""
        joined, candidates = self._candidates(seq)
        origins = self._origins
        for phrase in candidates:
            if phrase in joined:
                yield origins[phrase]

    def discard_found_in(self, seq: list[str], keys: set[str] | None = None) -> None:
        """Forget phrases that ``seq`` (public text) contains: they are not secrets.

        ``keys`` are ``text_keys(seq)`` when the caller has them already."""
        joined, candidates = self._candidates(seq, keys)
        for phrase in candidates:
            if phrase in self._origins and phrase in joined:
                del self._origins[phrase]

    def compact(self) -> None:
        """Drop discarded phrases from the index (after the last :meth:`discard_found_in`)."""
        for key, phrases in list(self._by_key.items()):
            kept = [p for p in phrases if p in self._origins]
            if kept:
                self._by_key[key] = kept
            else:
                del self._by_key[key]

    def __len__(self) -> int:
        return len(self._origins)


def text_keys(seq: list[str]) -> set[str]:
    """The words and adjacent word pairs of a text: everything a phrase can be filed under."""
    return set(seq) | {f"{a} {b}" for a, b in zip(seq, seq[1:])}


def _phrase_keys(phrase: list[str]) -> list[str]:
    # Pairs are far rarer than words; a one-word phrase can only be found by its word.
    return [f"{a} {b}" for a, b in zip(phrase, phrase[1:])] or phrase


@dataclass
class Secrets:
    """Everything the public audit looks for."""

    phrases: PhraseSet = field(default_factory=PhraseSet)  # indexed and ready to search
    urls: dict[str, Origin] = field(default_factory=dict)  # site-relative URL paths and files
    tags: dict[str, Origin] = field(default_factory=dict)  # normalized tag -> origin
    files: dict[str, Origin] = field(default_factory=dict)  # content files not in the public site

    @cached_property
    def url_names(self) -> frozenset[str]:
        """The last part of every members URL (``index.html`` aside): a token that names none
        of them cannot resolve to one, so the audit resolves only tokens containing one."""
        names = set()
        for url in self.urls:
            parts = [p for p in url.split("/") if p and p != "index.html"]
            if parts:
                names.add(parts[-1])
        return frozenset(names)


def collect(kb: KnowledgeBase, public_text: Iterable[str] = (), *,
            directory_urls: bool = True) -> Secrets:
    """Secrets of ``kb``: members-only content that public content does not also contain.

    Deliberately derived from the raw topics with its own reading of the visibility rule,
    not from the site plan: the audit must still see a leak when the plan is wrong.
    ``public_text`` is other text the public site shows (site name, section names, labels).
    """
    s = Secrets()
    public = {p: t for p, t in kb.topics.items()
              if t.valid and not t.is_draft and t.meta.get("visibility") == "public"}
    public_bodies = {p: _strip_passages(t) for p, t in public.items()}
    for path, topic in kb.topics.items():
        shown = kb.display(path)
        if path in public:
            _passages(topic, shown, s.phrases)
            continue
        _whole_topic(topic, shown, s.phrases)
        origin = Origin("url", shown, 1, path)
        for form in _url_forms(path, directory_urls):
            s.urls[form] = origin
        for alias in topic.meta.get("aliases", []):
            alias_origin = Origin("url", shown, topic.meta_lines.get("aliases", 1), alias)
            for form in _url_forms(alias, directory_urls):
                s.urls.setdefault(form, alias_origin)

    corpus = [(seq, text_keys(seq)) for seq in _public_corpus(public, public_bodies, public_text)]
    s.phrases.index(Counter(k for _, keys in corpus for k in keys))
    for seq, keys in corpus:
        s.phrases.discard_found_in(seq, keys)
    s.phrases.compact()

    public_tags = {_tag_key(t) for topic in public.values() for t in topic.tags}
    for path, topic in kb.topics.items():
        if path not in public:
            for tag in topic.tags:
                if _tag_key(tag) not in public_tags:
                    s.tags.setdefault(_tag_key(tag), Origin("tag", kb.display(path),
                                                            topic.meta_lines.get("tags", 1), tag))
    used_publicly = {resolve(p, link.target) for p, t in public.items()
                     for link in scan(public_bodies[p], t.body_first_line).links}
    for asset in sorted(kb.assets - used_publicly):
        origin = Origin("file", kb.display(asset), 0, asset)
        s.files[asset] = origin
        s.urls.setdefault(asset, origin)
    return s


def _strip_passages(topic: Topic) -> str:
    # The full-body scan, not Topic.public_body: the audit re-derives the public text itself.
    blocks = topic.scan(public=False).members_blocks
    return without_members(topic.body, blocks, topic.body_first_line)


def tag_key(tag: str) -> str:
    """A tag as compared by the audit: its letters and digits, lowercase."""
    return _tag_key(tag)


def _tag_key(tag: str) -> str:
    return "".join(words(tag))


def _url_forms(path: str, directory_urls: bool) -> Iterator[str]:
    url = url_path(path, directory_urls=directory_urls)
    yield path
    if url:
        yield url
        yield url.rstrip("/")
        yield url + "index.html" if url.endswith("/") else url


def _whole_topic(topic: Topic, shown: str, phrases: PhraseSet) -> None:
    for key in ("title", "summary"):
        value = topic.meta.get(key)
        if isinstance(value, str):
            _add_short(phrases, value, Origin(key, shown, topic.meta_lines.get(key, 1), value))
    scan = topic.scan(public=False)
    for h in scan.headings:
        _add_short(phrases, h.text, Origin("heading", shown, h.line, h.text))
    _add_text(phrases, topic.body.split("\n"), topic.body_first_line, shown)


def _passages(topic: Topic, shown: str, phrases: PhraseSet) -> None:
    scan = topic.scan(public=False)
    if not scan.members_blocks:
        return
    lines = topic.body.split("\n")
    for block in scan.members_blocks:
        end = block.end if block.closed else topic.body_first_line + len(lines) - 1
        first = block.start - topic.body_first_line
        _add_text(phrases, lines[first: end - topic.body_first_line + 1], block.start, shown)
    for h in scan.headings:
        if h.in_members:
            _add_short(phrases, h.text, Origin("heading", shown, h.line, h.text))


def _add_short(phrases: PhraseSet, text: str, origin: Origin) -> None:
    seq = tuple(words(text))
    if seq and len("".join(seq)) >= 4:
        phrases.add(seq[:CHUNK] if len(seq) > CHUNK else seq, origin)


def _add_text(phrases: PhraseSet, lines: list[str], first_line: int, shown: str) -> None:
    for offset, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            continue
        plain = html.unescape(_TAG.sub(" ", _LINK.sub(lambda m: " " + m.group(1) + " ", line)))
        alts = [m.group(1) for m in _LINK.finditer(line) if m.group(0).startswith("!")]
        for fragment in [*_SPLIT.split(plain), *alts]:
            seq = tuple(words(fragment))
            if len(seq) < MIN_WORDS:
                continue
            origin = Origin("text", shown, first_line + offset, fragment.strip())
            for start in range(0, len(seq), CHUNK):
                chunk = seq[start: start + CHUNK]
                if len(chunk) >= MIN_WORDS and _informative(chunk):
                    phrases.add(chunk, origin)


def _informative(chunk: tuple[str, ...]) -> bool:
    # Runs of numbers ("2026 05 10", "1 800 761") recur in dates and codes everywhere.
    return sum(1 for w in chunk if not w.isdigit()) >= 2


def _public_corpus(public: dict[str, Topic], bodies: dict[str, str],
                   extra: Iterable[str]) -> Iterator[list[str]]:
    for path, topic in public.items():
        yield words(" ".join(str(topic.meta.get(k, "")) for k in ("title", "summary")))
        yield words(" ".join(topic.tags))
        body = _LINK.sub(lambda m: " " + m.group(1) + " ", bodies[path])
        yield words(html.unescape(_TAG.sub(" ", body)))
        # And the Markdown as written: a code sample shows its tags and URLs as text.
        yield words(html.unescape(bodies[path]))
    for text in extra:
        yield words(text)
