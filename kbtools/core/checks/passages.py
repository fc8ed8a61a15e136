"""Members passages as the renderer parses them, and the check that kbtools' scanner agrees.

Where a `/// members` passage ends is decided by the renderer (Python-Markdown with
pymdown-extensions' blocks, kbtools/plugin/members_block.py): the public site parses the same
Markdown as the members site and drops what the block holds. kbtools' own scanner
(:mod:`markdown_scan`) decides other things from the Markdown (which links and anchors the
public page has, which files it uses), so for every public topic that may hold a block, this
module has the renderer read it twice, through a :class:`Renderer` the adapter provides:

1. the whole body, with members passages marked: what is inside them is the members text
   (the audit's secrets come from here, never from the scanner);
2. the body with the passages the scanner found blanked out.

The public text of (1) and all of (2) must be the same words and the same addresses. If they
are not, the scanner misreads the topic and the topic is refused (KB203), at the line where
the two readings part, with a hint made from what is written there.

Two renders a topic are most of kbtools' own work in a build, so :func:`read_all` can spread
them over forked worker processes, and keep them in a :class:`ReadingCache` keyed by
everything a reading depends on (the topic's path and body, where its body starts, the
renderer's configuration, package versions and kbtools' own reading code): an entry is only
ever used for the very input it was made from, so a build with the cache reads exactly what
one without it reads. The readings serve the checks and the public site (its plan and its
audit's secrets); the members site's pages never come from them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import multiprocessing as mp
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic, Severity
from kbtools.core.model.text import words
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading import html_text
from kbtools.core.reading.markdown_scan import MEMBERS, Scan

MARKER = "data-kb-members"  # the attribute the renderer's probe mode puts on a passage
# ... and on the passage's own element only: after an HTML parser has read the page, text
# marked but outside every passage element is text a browser shows outside the callout.
ROOT = "data-kb-passage"
_INDENTED_BLOCK_LINE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*)(?P<indent>[ \t]*)/{3,}")
_HTML_BLOCK = re.compile(r"^ {0,3}<(?P<tag>[a-zA-Z][\w-]*)(?P<attrs>[^>]*)>")
_CLOSE_TAG = "</{}>"


class Renderer(Protocol):
    """The site's Markdown renderer, as kbtools' probe (see kbtools/plugin/probe.py)."""

    @property
    def block_names(self) -> frozenset[str]:
        """Names of the pymdown blocks the renderer knows (`members`, `note`, `details`...)."""

    def render(self, markdown: str) -> str:
        """HTML for ``markdown``, each members passage in an element carrying :data:`MARKER`."""


@dataclass(frozen=True)
class Reading:
    """How the renderer parsed one topic, and whether the scanner read it the same way."""

    path: str
    members: tuple[html_text.Unit, ...]  # text inside members passages (passage titles too)
    public_addresses: tuple[str, ...]  # links and media of the public text
    divergence: Diagnostic | None = None
    # The public page as the renderer builds it: its element ids (anchors) and the addresses
    # of its links and media. The checks and the public plan use these, not the scanner's.
    public_ids: frozenset[str] = frozenset()
    public_links: tuple[str, ...] = ()


@dataclass
class Readings:
    """The renderer's reading of every public topic that may hold a block."""

    by_path: dict[str, Reading] = field(default_factory=dict)
    block_names: frozenset[str] = frozenset({MEMBERS})

    def get(self, path: str) -> Reading | None:
        """The reading of ``path``; None for a topic without any block."""
        return self.by_path.get(path)


def read_all(kb: KnowledgeBase, renderer: Renderer, *, cache: ReadingCache | None = None,
             workers: int = 1) -> Readings:
    """Read every valid public topic whose body may hold a members passage; each topic keeps
    its reading (``Topic.reading``) for the checks and the site plan.

    ``cache``: readings of earlier runs, by content (used only with a renderer that has a
    ``fingerprint``). ``workers`` > 1: the topics not in the cache are read by that many
    forked processes (Linux; only from a process without other threads running)."""
    readings = Readings(block_names=frozenset(renderer.block_names))
    todo = [(path, topic) for path, topic in kb.topics.items()
            if topic.valid and topic.is_public and topic.has_blocks]
    fingerprint = getattr(renderer, "fingerprint", None) if cache is not None else None
    keys: dict[str, str] = {}
    found: dict[str, Reading] = {}
    if cache is not None and fingerprint:
        for path, topic in todo:
            keys[path] = cache.key(fingerprint, kb.display(path), topic)
            hit = cache.get(keys[path], path)
            if hit is not None:
                found[path] = hit
    missing = [(p, t) for p, t in todo if p not in found]
    found.update(_read_many(kb, missing, renderer, workers))
    for path, topic in todo:
        topic.reading = readings.by_path[path] = found[path]
    if cache is not None and fingerprint:
        cache.save({keys[p]: found[p] for p, _ in todo})
    return readings


# Worker processes inherit the job by fork (renderers and topics need not be picklable).
_JOB: tuple[KnowledgeBase, list[tuple[str, Topic]], Renderer] | None = None
_MIN_PER_WORKER = 24  # fewer topics than this a worker: forking costs more than it saves


def _read_many(kb: KnowledgeBase, todo: list[tuple[str, Topic]], renderer: Renderer,
               workers: int) -> dict[str, Reading]:
    workers = min(workers, len(todo) // _MIN_PER_WORKER)
    if workers < 2 or not sys.platform.startswith("linux"):
        return {path: read(kb, topic, renderer) for path, topic in todo}
    global _JOB
    _JOB = (kb, todo, renderer)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_read_part, [(k, workers) for k in range(workers)])
    finally:
        _JOB = None
    return {path: reading for part in parts for path, reading in part}


def _read_part(share: tuple[int, int]) -> list[tuple[str, Reading]]:
    assert _JOB is not None
    kb, todo, renderer = _JOB
    k, every = share
    return [(path, read(kb, topic, renderer)) for path, topic in todo[k::every]]


class ReadingCache:
    """Readings of earlier runs on disk (one JSON file), keyed by content (:meth:`key`).

    A damaged or foreign file is ignored (the topics are read again); :meth:`save` writes only
    the entries of the last run, atomically, so the file holds one knowledge base's worth."""

    VERSION = 1

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._entries: dict[str, Any] | None = None
        self.hits = 0

    @staticmethod
    def key(fingerprint: str, display: str, topic: Topic) -> str:
        """Everything the reading of ``topic`` depends on, hashed: the renderer's fingerprint
        (its configuration and kbtools' reading code), the topic's path, its body and where
        the body starts, and what the scanner made of it (the body it renders second)."""
        data = json.dumps([ReadingCache.VERSION, fingerprint, topic.path, display,
                           topic.body_first_line, topic.body, topic.public_body()],
                          ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                ok = isinstance(raw, dict) and raw.get("version") == self.VERSION
                self._entries = raw["entries"] if ok and isinstance(raw.get("entries"),
                                                                    dict) else {}
            except (OSError, ValueError):
                self._entries = {}
        return self._entries

    def get(self, key: str, path: str) -> Reading | None:
        """The cached reading for ``key`` (of the topic at ``path``), or None."""
        entry = self._load().get(key)
        if entry is None:
            return None
        try:
            reading = _reading_from(entry, path)
        except (KeyError, TypeError, ValueError):
            return None
        self.hits += 1
        return reading

    def save(self, readings: dict[str, Reading]) -> None:
        """Keep exactly ``readings`` (key -> reading); a cache that cannot be written is no
        error (the next build reads the topics again)."""
        entries = {k: _reading_to(r) for k, r in readings.items()}
        self._entries = entries
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".readings-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": self.VERSION, "entries": entries}, f,
                          ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass


def _reading_to(r: Reading) -> dict[str, Any]:
    d = r.divergence
    return {"path": r.path, "members": [[u.text, u.marked] for u in r.members],
            "public_addresses": list(r.public_addresses),
            "divergence": None if d is None else [d.path, d.line, d.column, d.code, d.message,
                                                  d.hint, d.severity.value],
            "public_ids": sorted(r.public_ids), "public_links": list(r.public_links)}


def _reading_from(e: dict[str, Any], path: str) -> Reading:
    if e["path"] != path:
        raise ValueError("another topic's reading")
    d = e["divergence"]
    divergence = None if d is None else Diagnostic(
        str(d[0]), int(d[1]), int(d[2]), str(d[3]), str(d[4]),
        None if d[5] is None else str(d[5]), Severity(d[6]))
    return Reading(path, tuple(html_text.Unit(str(t), bool(m)) for t, m in e["members"]),
                   tuple(str(a) for a in e["public_addresses"]), divergence,
                   frozenset(str(i) for i in e["public_ids"]),
                   tuple(str(u) for u in e["public_links"]))


def source_fingerprint(files: Sequence[str | os.PathLike[str]]) -> str:
    """A hash of ``files``' bytes: kbtools' own reading code, part of a cache key."""
    h = hashlib.sha256()
    for name in files:
        h.update(Path(name).read_bytes())
    return h.hexdigest()


def read(kb: KnowledgeBase, topic: Topic, renderer: Renderer) -> Reading:
    """The renderer's reading of ``topic`` and its comparison with the scanner's."""
    try:
        html = renderer.render(topic.body)
        full = html_text.read(html, marker=MARKER)
        rooted = html_text.read(html, marker=ROOT)
        stripped = html_text.read(renderer.render(topic.public_body()), marker=MARKER)
    except Exception as e:
        # The renderer cannot read these blocks (pymdown-extensions fails on some nestings):
        # the build would stop with a traceback; say where instead, and build nothing.
        line = topic.scan().members_blocks[0].start if topic.scan().members_blocks \
            else topic.body_first_line
        problem = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        return Reading(topic.path, (), (), _d(
            kb, topic.path, line, 1, "KB204", "the Markdown renderer fails on this topic's "
            f"blocks ({problem})", "simplify the nesting of the blocks: close each `///` "
            "block before the list item, quote or HTML block around it ends"))
    members = tuple(u for u in full.units if u.marked)
    return Reading(
        topic.path, members, tuple(_links(full, marked=False)),
        _unbalanced(kb, topic, full, rooted) or _compare(kb, topic, full, stripped),
        frozenset(i for i, _ in stripped.ids), tuple(_links(stripped, marked=None)))


def check(kb: KnowledgeBase, readings: Readings) -> Iterator[Diagnostic]:
    """Block lines the renderer does not read as blocks, callouts named `members` that are
    public, and topics the scanner reads differently from the renderer."""
    known = readings.block_names
    for path, topic in kb.topics.items():
        if not topic.valid or not (topic.has_blocks or "!!!" in topic.body
                                   or "???" in topic.body or "members" in topic.body):
            continue
        scan = topic.scan()
        yield from _block_lines(kb, path, scan, known)
        for c in scan.callouts:
            yield _d(kb, path, c.line, c.column, "KB202",
                     f"`{c.syntax}` makes a callout that every reader sees: it does not hide "
                     "anything", "write the passage between `/// members` and `///` lines")
        reading = readings.get(path)
        if reading is not None and reading.divergence is not None:
            yield reading.divergence


def _block_lines(kb: KnowledgeBase, path: str, scan: Scan,
                 known: frozenset[str]) -> Iterator[Diagnostic]:
    for b in scan.block_lines:
        if b.hidden:
            yield _d(kb, path, b.line, b.column, "KB201",
                     f"`{b.raw}` holds an invisible character ({b.hidden}): the renderer reads "
                     "the line, and the passage after it, as public text",
                     "delete the character (retype the line as `/// members` or `///`)")
        elif not b.name:
            yield _d(kb, path, b.line, b.column, "KB201",
                     f"`{b.raw}` is not a block line: the renderer shows it as text",
                     "start a block with `/// members` (a space, then the name) and end it "
                     "with `///` alone on its line")
        elif b.tab:
            yield _d(kb, path, b.line, b.column, "KB201",
                     f"`{b.raw}` has a tab after the slashes: the renderer reads it as text",
                     f"write `/// {b.name.lower()}` with a space")
        elif b.name not in known:
            lower = b.name.lower()
            if lower in known:
                # The renderer would accept it; one spelling keeps every reader (and grep) sure.
                yield _d(kb, path, b.line, b.column, "KB201",
                         f"`{b.raw}`: block names are written in lowercase",
                         f"write `/// {lower}`")
                continue
            close = difflib.get_close_matches(lower, sorted(known), n=1, cutoff=0.6)
            hint = (f"did you mean `/// {close[0]}`?" if close else
                    "known blocks: " + ", ".join(f"`{n}`" for n in sorted(known)))
            yield _d(kb, path, b.line, b.column, "KB201",
                     f"`/// {b.name}` is not a block the renderer knows: the line and the "
                     "passage after it would be published as text", hint)


def _links(doc: html_text.Document, *, marked: bool | None) -> Iterator[str]:
    """Addresses of links and media (not the toc's permalinks), in document order."""
    for a in doc.addresses:
        if marked is not None and a.marked != marked:
            continue
        if "headerlink" in a.classes:
            continue
        yield a.url


def _tokens(doc: html_text.Document, marked: bool | None) -> list[str]:
    out: list[str] = []
    for unit in doc.units:
        if marked is None or unit.marked == marked:
            out += words(unit.text)
    return out


def _unbalanced(kb: KnowledgeBase, topic: Topic, full: html_text.Document,
                rooted: html_text.Document) -> Diagnostic | None:
    """Raw HTML a passage opens and closes across blocks (`<div>` in one list item, `</div>`
    in another) reaches the browser unbalanced: its parser ends the passage's element early,
    and the members page shows the rest outside the callout. Refused: where the passage ends
    would depend on who reads the HTML."""
    inside = [w for u in full.units if u.marked for w in words(u.text)]
    rooted_words = [w for u in rooted.units if u.marked for w in words(u.text)]
    if inside == rooted_words:
        return None
    blocks = topic.scan().members_blocks
    line = blocks[0].start if blocks else topic.body_first_line
    return _d(kb, topic.path, line, 1, "KB203",
              "the raw HTML in this members passage is not balanced: a browser ends the "
              "passage early and shows the rest of it outside the members callout",
              "close each HTML tag in the same paragraph or list item that opens it, or "
              "write the passage in Markdown only")


def _compare(kb: KnowledgeBase, topic: Topic, full: html_text.Document,
             stripped: html_text.Document) -> Diagnostic | None:
    scan = topic.scan()
    if stripped.marked_elements:
        # The renderer finds a members passage in what the scanner left public.
        first = next((u.text for u in stripped.units if u.marked), "")
        line = _find_line(topic, words(first), scan, inside=False)
        return _divergence(kb, topic, line, "hides", words(first), scan)
    renderer, scanner = _tokens(full, marked=False), _tokens(stripped, marked=None)
    if renderer != scanner:
        matcher = difflib.SequenceMatcher(None, renderer, scanner, autojunk=False)
        _, i1, _, j1, j2 = next(o for o in matcher.get_opcodes() if o[0] != "equal")
        if j2 > j1:
            # Words the scanner shows publicly that the renderer keeps in a passage.
            run = scanner[j1:j1 + 4]
            return _divergence(kb, topic, _find_line(topic, run, scan, inside=False), "hides",
                               run, scan)
        run = renderer[i1:i1 + 4]
        return _divergence(kb, topic, _find_line(topic, run, scan, inside=True), "shows", run,
                           scan)
    public_links = list(_links(full, marked=False))
    scanner_links = list(_links(stripped, marked=None))
    if public_links != scanner_links:
        extra = [u for u in public_links if u not in scanner_links]
        missing = [u for u in scanner_links if u not in public_links]
        url = (extra or missing or public_links or scanner_links)[0]
        line = next((link.line for link in scan.links if link.target == url), 0)
        verb = "shows" if extra else "hides"
        return _divergence(kb, topic, line, verb, [url], scan, address=True)
    return None


def _contains(seq: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(seq[i:i + n] == run for i in range(len(seq) - n + 1)) if n else True


def source_line(topic: Topic, text: str) -> int:
    """The first line of ``topic``'s members passages that holds the start of ``text``."""
    return _find_line(topic, words(text)[:3], topic.scan(), inside=True)


def _find_line(topic: Topic, run: list[str], scan: Scan, *, inside: bool) -> int:
    """The first file line, inside or outside the scanner's passages, that holds ``run``."""
    lines = topic.body.split("\n")
    for want in (run[:3], run[:2], run[:1]):
        if not want:
            break
        for offset, text in enumerate(lines):
            line = topic.body_first_line + offset
            if scan.in_members(line) != inside:
                continue
            if _contains(words(text), want):
                return line
    blocks = scan.members_blocks
    return blocks[0].start if blocks else topic.body_first_line


def _divergence(kb: KnowledgeBase, topic: Topic, line: int, verb: str, run: list[str],
                scan: Scan, *, address: bool = False) -> Diagnostic:
    what = f"`{run[0]}`" if address else "\"" + " ".join(run) + " …\""
    if verb == "hides":
        message = (f"the renderer keeps {what} inside a members passage, but kbtools' check "
                   "reads it as public text: the two disagree about where the passage ends")
    else:
        message = (f"the renderer shows {what} as public text, but kbtools' check reads it as "
                   "inside a members passage: the two disagree about where the passage ends")
    return _d(kb, topic.path, line, 1, "KB203", message, _hint(topic, scan, line))


def _hint(topic: Topic, scan: Scan, near: int) -> str:
    """What in the topic makes the two readings part, said from what is written."""
    lines = topic.body.split("\n")
    first = topic.body_first_line

    def text(n: int) -> str:
        return lines[n - first] if 0 <= n - first < len(lines) else ""

    for b in scan.block_lines:
        if b.name.lower() == MEMBERS:
            nxt = text(b.line + 1)
            if nxt.startswith(("    ", "\t")) and nxt.strip():
                return (f"line {b.line + 1} is indented right after `{b.raw}` (line {b.line}): "
                        "the renderer reads indented lines there as the block's options; put a "
                        "blank line after the `/// members` line or remove the indentation")
    for n in range(first, first + len(lines)):
        m = _INDENTED_BLOCK_LINE.match(text(n))
        if m and len(m.group("indent").expandtabs(4)) >= 4 and not _in_list(lines, n - first):
            return (f"line {n}: `{text(n).strip()}` is indented {len(m.group('indent'))} "
                    "spaces, so Markdown reads it as code, not as a block line; start it at "
                    "the left margin (or at the indentation of the list item it belongs to)")
    for n in range(first, first + len(lines)):
        m = _HTML_BLOCK.match(text(n))
        if m and "markdown" not in m.group("attrs"):
            close = _CLOSE_TAG.format(m.group("tag").lower())
            end = next((k for k in range(n, first + len(lines)) if close in text(k).lower()), None)
            crosses = [b.line for b in scan.block_lines if n < b.line and (end is None
                                                                          or b.line < end)]
            if crosses:
                return (f"the HTML block `<{m.group('tag')}>` that starts on line {n} runs to "
                        f"{'line ' + str(end) if end else 'the end'}, and Markdown does not read "
                        f"block lines inside raw HTML (line {crosses[0]}); close the HTML "
                        "before the passage ends, or write `<" + m.group("tag") + " markdown>`")
    return ("start the passage with `/// members` and end it with `///` (as many slashes), "
            "each alone on its line at the left margin or at its list item's indentation, "
            f"outside code blocks and raw HTML (look near line {near})")


def _in_list(lines: list[str], index: int) -> bool:
    # An indented block line may belong to a list item: look back to the nearest line that is
    # not indented.
    for k in range(index - 1, -1, -1):
        line = lines[k]
        if not line.strip():
            continue
        if not line.startswith((" ", "\t")):
            return bool(re.match(r"^(?:[-*+]|\d+[.)])[ \t]", line))
    return False



def _d(kb: KnowledgeBase, path: str, line: int, col: int, code: str, message: str,
       hint: str | None = None) -> Diagnostic:
    return finding(kb.display(path), line, col, code, message, hint)
