"""Read the structure of a topic's Markdown body without rendering it.

One pass over the lines finds fenced code (where nothing counts), `/// members` blocks,
headings with the anchors Python-Markdown's toc extension will give them, and links.
Positions are file lines and 1-based columns, so diagnostics point at the source.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

_FENCE = re.compile(r"^(?P<indent>[ \t]*(?:>[ \t]*)*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# pymdown-extensions blocks: `/// name | title`, closed by the same number of slashes.
_BLOCK_START = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<slashes>/{3,})[ \t]*(?P<name>[\w-]+)(?P<rest>.*)$")
_BLOCK_END = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<slashes>/{3,})[ \t]*$")
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?P<under>=+|-+)[ \t]*$")
_ATTR_ID = re.compile(r"[ \t]*\{:?[^}]*#(?P<id>[\w-]+)[^}]*\}[ \t]*$")
_INLINE_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\([ \t]*(?P<dest><[^>\n]*>|[^)\s]+)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
)
_REF_DEF = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:[ \t]*(?P<dest><[^>]*>|\S+)")
_HTML_URL = re.compile(r"\b(?P<attr>href|src)\s*=\s*(?P<q>[\"'])(?P<dest>[^\"']*)(?P=q)", re.I)
_HTML_ID = re.compile(r"\b(?:id|name)\s*=\s*[\"'](?P<id>[^\"']+)[\"']", re.I)
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_TAG = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")

MEMBERS = "members"


@dataclass(frozen=True)
class Block:
    """A `/// members` passage: the fence lines and the lines between (file line numbers)."""

    start: int
    end: int  # line of the closing fence; equals start when never closed
    closed: bool


@dataclass(frozen=True)
class Heading:
    """A heading and the anchor it will get."""

    text: str
    anchor: str
    line: int
    level: int
    in_members: bool


@dataclass(frozen=True)
class Link:
    """A link or image destination as written, with its position."""

    target: str
    line: int
    column: int
    text: str
    is_image: bool
    in_members: bool


@dataclass
class Scan:
    """Everything the checks need to know about one body."""

    members_blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    extra_ids: list[tuple[str, bool]] = field(default_factory=list)  # (id, in_members)

    def anchors(self, *, include_members: bool) -> set[str]:
        """Anchors a page built from this body has."""
        ids = {h.anchor for h in self.headings if include_members or not h.in_members}
        ids |= {i for i, m in self.extra_ids if include_members or not m}
        return ids


def slugify(text: str, separator: str = "-") -> str:
    """Python-Markdown toc's default slugify, so anchors match the rendered ids."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def heading_text(markdown: str) -> str:
    """The plain text Python-Markdown's toc sees for an inline-Markdown heading."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).strip("`"), markdown)
    text = _INLINE_LINK.sub(lambda m: m.group("text"), text)
    text = _TAG.sub("", text)
    for _ in range(3):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return html.unescape(text).strip()


def scan(body: str, first_line: int = 1) -> Scan:
    """Scan a Markdown body whose first line is file line ``first_line``."""
    result = Scan()
    lines = body.split("\n")
    fence: tuple[str, int] | None = None  # (char, length) of the open code fence
    blocks: list[tuple[int, int, bool]] = []  # open pymdown blocks: (slashes, start, is_members)
    used: set[str] = set()
    prev_text: tuple[str, int] | None = None  # last paragraph line, for setext headings

    for index, raw in enumerate(lines):
        lineno = first_line + index
        in_members = any(is_m for _, _, is_m in blocks)

        # Cheap character tests first: most lines are prose that no pattern below matches.
        m = _FENCE.match(raw) if "`" in raw or "~" in raw else None
        if fence is not None:
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= fence[1] \
                    and not m.group("info").strip():
                fence = None
            continue
        if m:
            fence = (m.group("fence")[0], len(m.group("fence")))
            prev_text = None
            continue

        end = _BLOCK_END.match(raw) if "///" in raw else None
        if end:
            n = len(end.group("slashes"))
            for i in range(len(blocks) - 1, -1, -1):
                if blocks[i][0] == n:
                    for _, start, is_m in blocks[i:]:
                        if is_m:
                            result.members_blocks.append(Block(start, lineno, True))
                    del blocks[i:]
                    break
            prev_text = None
            continue
        start = _BLOCK_START.match(raw) if "///" in raw else None
        if start:
            blocks.append((len(start.group("slashes")), lineno, start.group("name") == MEMBERS))
            prev_text = None
            continue

        heading = (_heading(raw, prev_text, used, in_members, lineno)
                   if raw.lstrip()[:1] in ("#", "=", "-") else None)
        if heading:
            result.headings.append(heading)
            prev_text = None
        elif raw.strip():
            prev_text = (raw, lineno)
        else:
            prev_text = None

        if "[" in raw or "=" in raw:  # links need `[`, href=/src= and id= need `=`
            _collect_links(raw, lineno, in_members, result)
        if "=" in raw:
            for hm in _HTML_ID.finditer(raw):
                result.extra_ids.append((hm.group("id"), in_members))

    for _, start, is_m in blocks:
        if is_m:
            result.members_blocks.append(Block(start, start, False))
    result.members_blocks.sort(key=lambda b: b.start)
    return result


def _heading(raw: str, prev: tuple[str, int] | None, used: set[str], in_members: bool,
             lineno: int) -> Heading | None:
    atx = _ATX.match(raw)
    if atx:
        text, level, line = atx.group("text") or "", len(atx.group("hashes")), lineno
    else:
        setext = _SETEXT.match(raw)
        if not (setext and prev and not _ATX.match(prev[0])):
            return None
        text, level, line = prev[0].strip(), 1 if setext.group("under")[0] == "=" else 2, prev[1]
    explicit = _ATTR_ID.search(text)
    if explicit:
        anchor = explicit.group("id")
        text = text[: explicit.start()]
    else:
        anchor = slugify(heading_text(text))
    anchor = _unique(anchor, used)
    return Heading(heading_text(text), anchor, line, level, in_members)


def _unique(anchor: str, used: set[str]) -> str:
    # Python-Markdown's toc.unique: repeated ids get _1, _2, ...
    if anchor in used or not anchor:
        n = 1
        while f"{anchor}_{n}" in used:
            n += 1
        anchor = f"{anchor}_{n}"
    used.add(anchor)
    return anchor


def _collect_links(raw: str, lineno: int, in_members: bool, result: Scan) -> None:
    # Links inside code spans are code, not links: blank them out, keeping columns.
    line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw) if "`" in raw else raw
    for m in _INLINE_LINK.finditer(line):
        dest = m.group("dest")
        col = m.start("dest") + 1
        if dest.startswith("<"):
            dest, col = dest[1:-1], col + 1
        result.links.append(Link(dest, lineno, col, m.group("text"), bool(m.group("bang")),
                                 in_members))
    ref = _REF_DEF.match(line)
    if ref:
        dest = ref.group("dest").strip("<>")
        result.links.append(Link(dest, lineno, ref.start("dest") + 1, ref.group("label"), False,
                                 in_members))
    for m in _HTML_URL.finditer(line):
        result.links.append(Link(html.unescape(m.group("dest")), lineno, m.start("dest") + 1, "",
                                 m.group("attr").lower() == "src", in_members))


def without_members(body: str, blocks: list[Block], first_line: int = 1) -> str:
    """The body with every members passage blanked out, line numbers kept.

    An unclosed block blanks everything to the end: when unsure, leave it out.
    """
    lines = body.split("\n")
    for block in blocks:
        end = block.end if block.closed else first_line + len(lines) - 1
        for lineno in range(block.start, end + 1):
            lines[lineno - first_line] = ""
    return "\n".join(lines)
