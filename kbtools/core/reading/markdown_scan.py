"""Read the structure of a topic's Markdown body without rendering it.

One pass over the lines finds fenced code (where nothing counts), `/// members` blocks,
headings with the anchors Python-Markdown's toc extension will give them, and links.
Positions are file lines and 1-based columns, so diagnostics point at the source.

This scanner is a *checker*, not the truth: where a members passage ends is what the renderer
parses (kbtools/plugin/members_block.py). Every topic with a block is read by the renderer too,
and a topic on which the two disagree is refused (kbtools/core/checks/passages.py).
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field

_FENCE = re.compile(r"^(?P<indent>[ \t]*(?:>[ \t]*)*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# pymdown-extensions blocks: `/// name | title`, closed by the same number of slashes.
_BLOCK_START = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<slashes>/{3,})(?P<gap>[ \t]*)(?P<name>[\w-]+)"
                          r"(?P<rest>.*)$")
_BLOCK_END = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<slashes>/{3,})[ \t]*$")
# Anything else that starts like a block line: the renderer reads it as text.
_BLOCK_LIKE = re.compile(r"^[ \t]*(?:>[ \t]*)*/{3,}\S*")
# Characters a writer cannot see (a pasted no-break or zero-width space, a byte order mark):
# the renderer does not read `\u200b/// members` or `///\u00a0members` as a block, so the
# passage would be public text. Unicode spaces and format characters, outside ASCII.
_INVISIBLE = re.compile(r"[^\x00-\x7f](?<=[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                        r"\u2060-\u2064\ufeff])")
# Admonitions and collapsible blocks of type "members" look hidden but are public.
_CALLOUT = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<mark>!!!|\?\?\?\+?)[ \t]*(?P<type>[\w-]+)", re.I)
_TYPE_OPTION = re.compile(r"^[ \t]{4,}type[ \t]*:[ \t]*[\"']?members\b", re.I)
_HTML_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_AUTOLINK = re.compile(r"<(?P<dest>(?:[a-z][a-z0-9+.-]{1,31}:[^\s<>]*)|(?:[^\s<>@]+@[^\s<>@]+))>",
                       re.I)
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?P<under>=+|-+)[ \t]*$")
_ATTR_ID = re.compile(r"[ \t]*\{:?[^}]*#(?P<id>[\w-]+)[^}]*\}[ \t]*$")
_INLINE_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\([ \t]*(?P<dest><[^>\n]*>|[^)\s]+)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
)
# A link definition is the whole line: `[label]: dest "title"` (`[Tip]: press twice.` is text).
_REF_DEF = re.compile(r"""^ {0,3}\[(?P<label>[^\]]+)\]:[ \t]*(?P<dest><[^>]*>|\S+)"""
                      r"""(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$""")
# Raw HTML attributes, quoted or not (`<a href=topic.md>` is valid HTML).
_HTML_URL = re.compile(r"""(?<![\w:-])(?P<attr>href|src|srcset|poster|data|action|formaction|cite"""
                       r"""|xlink:href)\s*=\s*(?:"(?P<d1>[^"]*)"|'(?P<d2>[^']*)'|(?P<d3>[^\s"'=<>`]+))""",
                       re.I)
_HTML_ID = re.compile(r"""(?<![\w:-])(?:id|name)\s*=\s*(?:"(?P<i1>[^"]+)"|'(?P<i2>[^']+)'"""
                      r"""|(?P<i3>[^\s"'=<>`]+))""", re.I)
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
class BlockLine:
    """A line that starts like a pymdown block (`/// name`), as written."""

    line: int
    column: int
    name: str  # "" for a line that is neither a start nor a plain closer
    raw: str
    tab: bool  # a tab between the slashes and the name (the renderer wants spaces)
    hidden: str = ""  # the invisible character that keeps it from being a block (its name)


@dataclass(frozen=True)
class Callout:
    """An admonition or collapsible block whose type is `members` (public, despite the name)."""

    line: int
    column: int
    syntax: str  # as written, e.g. `!!! members`


@dataclass(frozen=True)
class Heading:
    """A heading and the anchors it will get in the members and the public site."""

    text: str
    anchor: str  # in the members site (every heading counts for uniqueness)
    line: int
    level: int
    in_members: bool
    public_anchor: str = ""  # in the public site (members headings are not on the page)


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
    block_lines: list[BlockLine] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    # Blocks whose name is a near miss of `members` (`member`, `memebrs`): not members
    # passages for the renderer, but meant to be; the audit treats their text as secret.
    meant_blocks: list[Block] = field(default_factory=list)

    def anchors(self, *, public: bool) -> set[str]:
        """Anchors the page built from this body has in the public or the members site."""
        if public:
            ids = {h.public_anchor for h in self.headings if not h.in_members}
        else:
            ids = {h.anchor for h in self.headings}
        ids |= {i for i, m in self.extra_ids if not (public and m)}
        return ids

    def site_links(self, *, public: bool) -> list[Link]:
        """The links the page has in the public site (outside passages) or the members site."""
        return [link for link in self.links if not (public and link.in_members)]

    def in_members(self, line: int) -> bool:
        """Whether file line ``line`` is in a members passage (an unclosed one runs to the end)."""
        return any(b.start <= line <= b.end or (not b.closed and line >= b.start)
                   for b in self.members_blocks)


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
    fence: tuple[str, int] | None = None  # (char, length) of the open code fence
    blocks = _OpenBlocks()
    used: set[str] = set()  # anchors taken in the members site
    used_public: set[str] = set()  # and in the public site
    prev_text: tuple[str, int] | None = None  # last paragraph line, for setext headings
    after_start = False  # the previous line opened a block (its options may follow)

    for index, raw in enumerate(body.split("\n")):
        lineno = first_line + index
        in_members = blocks.in_members()

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
            after_start = False
            continue

        if after_start and _TYPE_OPTION.match(raw):
            result.callouts.append(Callout(lineno, 1, raw.strip()))
        after_start = False
        if "/" in raw and not raw.isascii() and _hidden_block_line(raw, lineno, result):
            prev_text = None
            continue
        if "///" in raw:
            kind = blocks.line(raw, lineno, result)
            if kind is not None:
                prev_text = None
                after_start = kind == "start"
                continue
        if "!!!" in raw or "???" in raw:
            _members_callout(raw, lineno, result)

        heading = (_heading(raw, prev_text, used, used_public, in_members, lineno)
                   if raw.lstrip()[:1] in ("#", "=", "-") else None)
        if heading:
            result.headings.append(heading)
            prev_text = None
        elif raw.strip():
            prev_text = (raw, lineno)
        else:
            prev_text = None

        if "[" in raw or "=" in raw or "<" in raw:  # links need `[`, `<` or href=/src=
            _collect_links(raw, lineno, in_members, result)
        if "=" in raw:
            _html_attributes(raw, lineno, in_members, result)

    blocks.unclosed(result)
    result.members_blocks.sort(key=lambda b: b.start)
    return result


@dataclass
class _OpenBlocks:
    """The pymdown blocks open at a line, as the renderer nests them."""

    open: list[tuple[int, int, bool]] = field(default_factory=list)  # (slashes, start, members)
    meant: list[tuple[int, int]] = field(default_factory=list)  # near misses: (slashes, start)

    def in_members(self) -> bool:
        return any(is_m for _, _, is_m in self.open)

    def line(self, raw: str, lineno: int, result: Scan) -> str | None:
        """Read a line holding `///`: "end" (a closer), "start" (an opener) or None (text)."""
        end = _BLOCK_END.match(raw)
        if end:
            self._close(len(end.group("slashes")), lineno, result)
            return "end"
        opener = _BLOCK_START.match(raw)
        if opener:
            name = opener.group("name")
            slashes = len(opener.group("slashes"))
            result.block_lines.append(BlockLine(lineno, opener.start("slashes") + 1, name,
                                                raw.strip(), "\t" in opener.group("gap")))
            self.open.append((slashes, lineno, name.lower() == MEMBERS))
            if name != MEMBERS and _near_members(name):
                self.meant.append((slashes, lineno))
            return "start"
        if _BLOCK_LIKE.match(raw):
            result.block_lines.append(BlockLine(lineno, raw.index("/") + 1, "", raw.strip(),
                                                False))
        return None

    def _close(self, slashes: int, lineno: int, result: Scan) -> None:
        # A closer ends the innermost block opened with as many slashes, and every block
        # opened inside it.
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == slashes:
                for _, start, is_m in self.open[i:]:
                    if is_m:
                        result.members_blocks.append(Block(start, lineno, True))
                del self.open[i:]
                break
        for i in range(len(self.meant) - 1, -1, -1):
            if self.meant[i][0] == slashes:
                result.meant_blocks.append(Block(self.meant[i][1], lineno, True))
                del self.meant[i:]
                break

    def unclosed(self, result: Scan) -> None:
        """The blocks still open at the end of the body: unclosed passages."""
        for _, start, is_m in self.open:
            if is_m:
                result.members_blocks.append(Block(start, start, False))
        result.meant_blocks += [Block(start, start, False) for _, start in self.meant]


def _hidden_block_line(raw: str, lineno: int, result: Scan) -> bool:
    """Record a line that is a block line once its invisible characters are gone (the
    renderer reads it as text, and the passage after it with it)."""
    visible = _INVISIBLE.sub(lambda m: " " if m.group(0).isspace() else "", raw)
    if visible == raw or not _BLOCK_LIKE.match(visible):
        return False
    first = _INVISIBLE.search(raw)
    assert first is not None
    char = first.group(0)
    name = unicodedata.name(char, "an unnamed character")
    result.block_lines.append(BlockLine(lineno, first.start() + 1, "", raw.strip(), False,
                                        f"U+{ord(char):04X} {name}"))
    return True


def _members_callout(raw: str, lineno: int, result: Scan) -> None:
    callout = _CALLOUT.match(raw)
    if callout and callout.group("type").lower() == MEMBERS:
        result.callouts.append(Callout(lineno, callout.start("mark") + 1,
                                       f"{callout.group('mark')} {callout.group('type')}"))


def _html_attributes(raw: str, lineno: int, in_members: bool, result: Scan) -> None:
    # Raw HTML ids are anchors; a raw `class="members"` outside a passage is a callout that
    # everyone sees.
    for hm in _HTML_ID.finditer(raw):
        result.extra_ids.append((hm.group("i1") or hm.group("i2") or hm.group("i3"),
                                 in_members))
    for cm in _HTML_CLASS.finditer(raw):
        classes = (cm.group(1) or cm.group(2) or cm.group(3) or "").lower().split()
        if MEMBERS in classes and not in_members:
            result.callouts.append(Callout(lineno, cm.start() + 1, cm.group(0)))


def _near_members(name: str) -> bool:
    """`Members`, `member`, `memebrs`: a name that means members but is not spelled so."""
    lower = name.lower()
    return lower == MEMBERS or difflib.SequenceMatcher(None, lower, MEMBERS).ratio() >= 0.75


def _heading(raw: str, prev: tuple[str, int] | None, used: set[str], used_public: set[str],
             in_members: bool, lineno: int) -> Heading | None:
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
    # The public page has no members headings, so its repeated headings count differently.
    public_anchor = "" if in_members else _unique(anchor, used_public)
    return Heading(heading_text(text), _unique(anchor, used), line, level, in_members,
                   public_anchor)


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
    if "<" in line:
        for m in _AUTOLINK.finditer(line):
            dest = m.group("dest")
            if "@" in dest and ":" not in dest:
                dest = "mailto:" + dest
            result.links.append(Link(dest, lineno, m.start("dest") + 1, "", False, in_members))
    if "=" in line:
        for m in _HTML_URL.finditer(line):
            group = next(g for g in ("d1", "d2", "d3") if m.group(g) is not None)
            dests = [html.unescape(m.group(group))]
            if m.group("attr").lower() == "srcset":
                dests = [c.strip().split(" ", 1)[0] for c in dests[0].split(",") if c.strip()]
            for dest in dests:
                result.links.append(Link(dest, lineno, m.start(group) + 1, "",
                                         m.group("attr").lower() != "href", in_members))


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
