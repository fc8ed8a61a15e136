"""Read a content folder into a KnowledgeBase, strictly, collecting every problem."""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from pathlib import Path

from kbtools.core.model import memo
from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading import frontmatter

_BOM = b"\xef\xbb\xbf"
_HEAD = re.compile(rb"<head[\s>]", re.IGNORECASE)


def display_prefix(root: Path, base: Path | None = None) -> str:
    """The content folder as writers name it: relative to ``base`` (default: the working
    directory) when inside it, absolute otherwise."""
    try:
        rel = os.path.relpath(root, (base or Path.cwd()).resolve())
    except ValueError:  # another drive on Windows
        rel = str(root)
    if rel == ".":
        return ""
    return (str(root) if rel.startswith("..") else rel).replace(os.sep, "/") + "/"


def load(root: str | os.PathLike[str], *, display_base: Path | None = None) -> KnowledgeBase:
    """Load every topic (``*.md``) and file under ``root``. Hidden files and folders are skipped.

    Paths in diagnostics are shown relative to ``display_base`` (default: working directory).
    """
    root_path = Path(root).resolve()
    kb = KnowledgeBase(root=root_path, display_prefix=display_prefix(root_path, display_base))
    for dirpath, dirnames, filenames in os.walk(root_path, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for dirname in list(dirnames):
            if not _publishable_name(kb, root_path, Path(dirpath, dirname)):
                dirnames.remove(dirname)
                continue
            # os.walk does not descend into symlinked folders; say so rather than skip silently.
            full = Path(dirpath, dirname)
            if full.is_symlink():
                _check_link(kb, root_path, full)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = Path(dirpath, name)
            if not _publishable_name(kb, root_path, full):
                continue
            rel = full.relative_to(root_path).as_posix()
            if full.is_symlink() and not _check_link(kb, root_path, full):
                continue
            if name.lower().endswith((".html", ".htm")):
                _check_html(kb, full, rel)
            if name.endswith(".md"):
                topic = read_topic(full, rel, kb)
                if topic is not None:
                    kb.topics[rel] = topic
                else:
                    kb.unreadable.add(rel)
            else:
                kb.assets.add(rel)
    return kb


def shown_name(path: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 as ``\\xe9``, controls escaped."""
    raw = os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return "".join(c if unicodedata.category(c)[0] != "C" else c.encode("unicode_escape")
                   .decode("ascii") for c in raw)


def _publishable_name(kb: KnowledgeBase, root: Path, full: Path) -> bool:
    # A name that is not UTF-8 cannot be a URL (and crashes any writer of UTF-8 output); a
    # newline or control character breaks every `file:line` message and most tools.
    name = full.name
    problem = memo.cached(("name", name), lambda: _name_problem(name))
    if problem is None:
        return True
    rel = shown_name(full.relative_to(root).as_posix())
    what = "folder" if full.is_dir() else "file"
    kb.diagnostics.append(_diag(kb.display(rel), 0, 0, "KB114",
                                f"the {what} name {problem}; it cannot be published",
                                f"rename the {what} with letters, digits, `-` and `_`"))
    return False


def _name_problem(name: str) -> str | None:
    if any("\udc80" <= c <= "\udcff" for c in name):
        return "is not valid UTF-8"
    if any(unicodedata.category(c)[0] == "C" for c in name):
        return "contains a control character (a newline, a tab)"
    return None


def _check_html(kb: KnowledgeBase, full: Path, rel: str) -> None:
    try:
        data = full.read_bytes()
    except OSError:
        return
    if not _HEAD.search(data):
        kb.diagnostics.append(_diag(kb.display(rel), 0, 0, "KB115", "the HTML file has no "
                                    "`<head>`; the members site marks every page noindex there",
                                    "give it `<html><head>…</head><body>…</body></html>`"))


def _check_link(kb: KnowledgeBase, root: Path, full: Path) -> bool:
    target = full.resolve()
    rel = full.relative_to(root).as_posix()
    if not target.exists():
        kb.diagnostics.append(_diag(kb.display(rel), 0, 0, "KB306",
                                    f"broken symlink (to {target})", "remove the link"))
        return False
    if not target.is_relative_to(root):
        kb.diagnostics.append(_diag(kb.display(rel), 0, 0, "KB307",
                                    f"symlink leads outside the content folder (to {target})",
                                    "copy the file into content/ instead of linking it"))
        return False
    if full.is_dir():
        kb.diagnostics.append(_diag(kb.display(rel), 0, 0, "KB307",
                                    "symlinked folders are not followed",
                                    "move the folder into content/ instead of linking it"))
        return False
    return True


def read_topic(full: Path, rel: str, kb: KnowledgeBase) -> Topic | None:
    """Read one topic file; problems go to ``kb.diagnostics``. None when it cannot be read."""
    shown = kb.display(rel)
    raw = full.read_bytes()
    # The same bytes read the same (the preview's rebuilds, kbtools/core/model/memo.py); the
    # topic itself is new every time (later steps set its reading), its front matter a copy.
    parsed, problems = memo.cached(("topic", rel, shown, raw), lambda: _parse(raw, rel, shown))
    kb.diagnostics.extend(problems)
    if parsed is None:
        return None
    if not memo.is_active():
        return parsed
    # Values are strings, numbers, dates and lists of them: lists are the only containers.
    meta = {k: copy.copy(v) if isinstance(v, (list, dict)) else v for k, v in parsed.meta.items()}
    return Topic(rel, meta, dict(parsed.meta_lines), parsed.body, parsed.body_first_line,
                 valid=parsed.valid)


def _parse(raw: bytes, rel: str, shown: str) -> tuple[Topic | None, tuple[Diagnostic, ...]]:
    found: list[Diagnostic] = []
    text = decode(raw, shown, found)
    if text is None:
        return None, tuple(found)
    parts, problems = frontmatter.split(text, shown)
    found += problems
    if parts is None:
        return Topic(rel, {}, {}, "", 1, valid=False), tuple(found)
    fm, problems = frontmatter.parse(parts, shown)
    found += problems
    valid = not any(d.is_error for d in problems)
    return Topic(rel, fm.values, fm.lines, parts.body, parts.body_first_line,
                 valid=valid), tuple(found)


def decode(raw: bytes, shown: str, sink: list[Diagnostic]) -> str | None:
    """Bytes of a topic to text with ``\\n`` line ends, or None and a diagnostic."""
    if raw.startswith(_BOM):
        sink.append(_diag(shown, 1, 1, "KB100", "the file starts with a byte order mark (BOM)",
                          "save it as UTF-8 without BOM"))
        return None
    if b"\x00" in raw:
        sink.append(_diag(shown, 0, 0, "KB100", "the file is binary, not Markdown text",
                          "topics are UTF-8 text files; put images next to them, not in .md files"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        sink.append(_diag(shown, line, col, "KB100",
                          f"the file is not valid UTF-8 (byte 0x{raw[e.start]:02x})",
                          "save the file as UTF-8"))
        return None
    if not text.strip():
        sink.append(_diag(shown, 1, 1, "KB101", "the file is empty",
                          "start with front matter: `---`, `title:`, `audience:`, "
                          "`visibility:`, `---`, then the answer"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _diag(path: str, line: int, col: int, code: str, message: str, hint: str) -> Diagnostic:
    return finding(path, line, col, code, message, hint)
