"""What must never appear in the public site, derived from the content.

A "secret" is members-only text (a title, summary, heading, sentence, image alt text),
a members-only URL or file, or a tag only members topics use, that does not also occur
in public content. The audit looks for these in every file the public build wrote.

Passage secrets come from the renderer's own parse of each public topic (what it put inside
the members passages, see :mod:`passages`), never from kbtools' scanner, so a blind spot of the
scanner cannot hide itself. A phrase is a secret only if no public source also produces it:
public topics (without their passages), the labels of generated pages, the theme's templates.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from kbtools.core.checks.passages import Readings, source_line
from kbtools.core.model import memo
from kbtools.core.model.text import words
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading.html_text import Unit
from kbtools.core.reading.markdown_scan import without_members
from kbtools.core.site.plan import resolve, url_path

_FENCE_LINE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}|/{3,})")
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_SPLIT = re.compile(r"(?:[.!?;:]+(?:\s|$))|\n|\s[-*+]\s|^\s*(?:[-*+]|\d+[.)])\s", re.M)
CHUNK = 6  # long passages are cut into runs of this many words
MIN_WORDS = 3  # shorter sentences of raw Markdown are too common to be evidence of a leak
MIN_LETTERS = 6  # a short passage unit is a secret when it holds at least this many letters
_PARAGRAPH = re.compile(r"\n[ \t>]*\n")


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

    def keys(self) -> set[str]:
        """Every key some phrase may be filed under (see :meth:`index`)."""
        out: set[str] = set()
        for phrase in self._origins:
            out.update(_phrase_keys(phrase.split()))
        return out

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
    keys = set(seq)
    keys.update(map(" ".join, itertools.pairwise(seq)))  # C loops, no Python frame a pair
    return keys


def _phrase_keys(phrase: list[str]) -> list[str]:
    # Pairs are far rarer than words; a one-word phrase can only be found by its word.
    return [f"{a} {b}" for a, b in itertools.pairwise(phrase)] or phrase


@dataclass
class Secrets:
    """Everything the public audit looks for."""

    phrases: PhraseSet = field(default_factory=PhraseSet)  # indexed and ready to search
    urls: dict[str, Origin] = field(default_factory=dict)  # site-relative URL paths and files
    tags: dict[str, Origin] = field(default_factory=dict)  # normalized tag -> origin
    files: dict[str, Origin] = field(default_factory=dict)  # content files not in the public site
    # The audit's memory of this set of secrets (see leak_audit): what a short unit of text
    # holds, and whether an address may name a members URL.
    unit_memo: dict[str, tuple[Origin, ...]] = field(default_factory=dict, repr=False,
                                                     compare=False)
    url_memo: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    html_memo: dict[tuple[str, bool], tuple[Any, ...]] = field(
        default_factory=dict, repr=False, compare=False)  # html_text.read's, for list items

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
            readings: Readings | None = None, members_facts: Iterable[str] = (),
            directory_urls: bool = True) -> Secrets:
    """Secrets of ``kb``: members-only content that public content does not also contain.

    Deliberately derived from the raw topics with its own reading of the visibility rule,
    not from the site plan: the audit must still see a leak when the plan is wrong.
    ``readings`` is the renderer's parse of public topics with passages (their members text
    and their public text); ``public_text`` is other text the public site shows (site name,
    subject names, labels, the theme's templates); ``members_facts`` are the values of facts
    only the members site shows.
    """
    s = Secrets()
    readings = readings or Readings()
    public = {p: t for p, t in kb.topics.items()
              if t.valid and not t.is_draft and t.visibility == "public"}
    for path, topic in kb.topics.items():
        shown = kb.display(path)
        # A topic's phrases depend on its content only (the preview keeps them across
        # rebuilds, kbtools/core/model/memo.py); they are added in the same order either way.
        is_public = path in public
        for phrase, origin in memo.cached(
                ("secrets-phrases", shown, is_public, memo.topic_key(topic)),
                functools.partial(_topic_phrases, topic, shown, is_public, readings)):
            s.phrases.add(phrase, origin)
        if is_public:
            continue
        origin = Origin("url", shown, 1, path)
        for form in _url_forms(path, directory_urls):
            s.urls[form] = origin
        for alias in topic.aliases:
            alias_origin = Origin("url", shown, topic.meta_lines.get("aliases", 1), alias)
            for form in _url_forms(alias, directory_urls):
                s.urls.setdefault(form, alias_origin)
    for value in members_facts:
        fact = tuple(words(value))
        if fact:
            s.phrases.add(fact, Origin("fact", "mkdocs.yml", 0, value))

    corpus: list[tuple[list[str], set[str]]] = []
    for topic in public.values():
        corpus += memo.cached(("secrets-corpus", memo.topic_key(topic)),
                              functools.partial(_keyed_corpus, topic))
    extra = tuple(public_text)
    corpus += memo.cached(("secrets-corpus", extra),
                          lambda: _keyed(words(text) for text in extra))
    # Which key a phrase is filed under only makes the search faster or slower, never finds
    # more or less (a phrase in a text has all its keys there): the preview keeps the
    # frequencies of its first rebuild.
    # Only the keys phrases can be filed under need a count: the rest of the public text's
    # words and pairs (most of them) are never looked up.
    wanted = s.phrases.keys()
    s.phrases.index(memo.cached(("secrets-frequency",),
                                lambda: Counter(k for _, keys in corpus for k in keys & wanted)))
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
    used_publicly: set[str | None] = set()
    for p, t in public.items():
        used_publicly |= memo.cached(("secrets-used", memo.topic_key(t)),
                                     functools.partial(_used, p, t, readings))
    for asset in sorted(kb.assets - used_publicly):
        origin = Origin("file", kb.display(asset), 0, asset)
        s.files[asset] = origin
        s.urls.setdefault(asset, origin)
    return s


class _Sink(Protocol):
    def add(self, phrase: tuple[str, ...], origin: Origin) -> None: ...


class _Recorder:
    """Phrases as a PhraseSet would receive them, in order."""

    def __init__(self) -> None:
        self.added: list[tuple[tuple[str, ...], Origin]] = []

    def add(self, phrase: tuple[str, ...], origin: Origin) -> None:
        self.added.append((phrase, origin))


def _topic_phrases(topic: Topic, shown: str, public: bool, readings: Readings,
                   ) -> tuple[tuple[tuple[str, ...], Origin], ...]:
    """The phrases one topic contributes: a public topic's passages, a members topic's all."""
    phrases = _Recorder()
    if public:
        reading = readings.get(topic.path)
        if reading is not None:
            _passage_units(topic, reading.members, shown, phrases)
        if topic.has_blocks:
            # And the lines of the passages as written, blocks misspelled as members
            # (`/// member`) included: when unsure, the audit looks for more, never less.
            _passages_as_written(topic, shown, phrases)
    else:
        _whole_topic(topic, shown, phrases)
    return tuple(phrases.added)


def _keyed(seqs: Iterable[list[str]]) -> list[tuple[list[str], set[str]]]:
    return [(seq, text_keys(seq)) for seq in seqs if seq]


def _keyed_corpus(topic: Topic) -> list[tuple[list[str], set[str]]]:
    return _keyed(_topic_corpus(topic))


def _used(path: str, topic: Topic, readings: Readings) -> set[str | None]:
    reading = readings.get(path)
    targets = (reading.public_addresses if reading is not None
               else [link.target for link in topic.scan().site_links(public=True)])
    return {resolve(path, target) for target in targets}


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


def _whole_topic(topic: Topic, shown: str, phrases: _Sink) -> None:
    for key in ("title", "summary"):
        value = topic.meta.get(key)
        if isinstance(value, str):
            _add_short(phrases, value, Origin(key, shown, topic.meta_lines.get(key, 1), value))
    for h in topic.scan().headings:
        _add_short(phrases, h.text, Origin("heading", shown, h.line, h.text))
    _add_text(phrases, topic.body.split("\n"), topic.body_first_line, shown)


def _passage_units(topic: Topic, units: Iterable[Unit], shown: str,
                   phrases: _Sink) -> None:
    """Phrases of the text the renderer put inside members passages, one unit at a time."""
    for unit in units:
        seq = tuple(words(unit.text))
        if not seq:
            continue
        origin = Origin("passage text", shown, source_line(topic, unit.text), unit.text[:80])
        if len(seq) <= CHUNK:
            if sum(len(w) for w in seq) >= MIN_LETTERS and not all(w.isdigit() for w in seq):
                phrases.add(seq, origin)
            continue
        starts = list(range(0, len(seq) - CHUNK + 1, CHUNK))
        if starts[-1] + CHUNK < len(seq):
            starts.append(len(seq) - CHUNK)  # the tail, so every word is in some chunk
        for start in starts:
            chunk = seq[start:start + CHUNK]
            if _informative(chunk):
                phrases.add(chunk, origin)


def _passages_as_written(topic: Topic, shown: str, phrases: _Sink) -> None:
    lines = topic.body.split("\n")
    scan = topic.scan()
    for block in [*scan.members_blocks, *scan.meant_blocks]:
        end = block.end if block.closed else topic.body_first_line + len(lines) - 1
        first = block.start - topic.body_first_line
        _add_text(phrases, lines[first: end - topic.body_first_line + 1], block.start, shown)


def _add_short(phrases: _Sink, text: str, origin: Origin) -> None:
    seq = tuple(words(text))
    if seq and len("".join(seq)) >= 4:
        phrases.add(seq[:CHUNK] if len(seq) > CHUNK else seq, origin)


def _add_text(phrases: _Sink, lines: list[str], first_line: int, shown: str) -> None:
    for offset, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            continue
        # A comment's words are in the bytes a visitor downloads: keep them, drop the markup.
        line = line.replace("<!--", " ").replace("-->", " ")
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


def _topic_corpus(topic: Topic) -> Iterator[list[str]]:
    """The public text of one public topic, as word sequences."""
    yield words(" ".join(str(topic.meta.get(k, "")) for k in ("title", "summary")))
    yield words(" ".join(topic.tags))
    # The body without its passages (and without blocks misspelled as members): a topic
    # whose passages the scanner and the renderer read differently is refused (KB203).
    for paragraph in _PARAGRAPH.split(_without_passages(topic)):
        plain = _LINK.sub(lambda m: " " + m.group(1) + " ", paragraph)
        yield words(html.unescape(_TAG.sub(" ", plain)))
        # And the Markdown as written: a code sample shows its tags and URLs as text.
        yield words(html.unescape(paragraph))


def _without_passages(topic: Topic) -> str:
    scan = topic.scan()
    if not scan.meant_blocks:
        return topic.public_body()
    return without_members(topic.body, [*scan.members_blocks, *scan.meant_blocks],
                           topic.body_first_line)
