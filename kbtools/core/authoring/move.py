"""`kb mv`: move a topic, rewrite every link and `related:` entry to it, keep its old path.

Edits are made on the text, line by line, so nothing else in any file changes: no YAML is
re-serialised and the front matter keeps its order, quoting and comments. Every edit is
computed before anything is written, and each edited front matter is parsed again and
compared with what was intended.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kbtools.core.model.errors import ContentError
from kbtools.core.model.schema import FIELDS
from kbtools.core.model.topics import KnowledgeBase, Topic
from kbtools.core.reading import frontmatter
from kbtools.core.site.pages import is_reserved
from kbtools.core.site.plan import is_external, resolve

_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:")
_PLAIN_PATH = re.compile(r"^[\w./-]+$")


class MoveError(ContentError):
    """Why the move was refused, in one line. Nothing was changed."""


@dataclass
class Move:
    """Everything a move writes."""

    old: str
    new: str
    texts: dict[str, str] = field(default_factory=dict)  # content path -> new text
    links: int = 0  # links to the topic rewritten in other topics
    own_links: int = 0  # relative links of the moved topic rewritten for its new folder
    related: int = 0  # related: entries rewritten
    skipped: list[str] = field(default_factory=list)  # links found but not rewritable

    @property
    def changed(self) -> list[str]:
        """Content paths whose text changes (the moved topic under its new path)."""
        return sorted(self.texts)


def plan_move(kb: KnowledgeBase, old: str, new: str) -> Move:
    """Work out a move of topic ``old`` to ``new`` (paths relative to the content folder)."""
    topic = kb.topics.get(old)
    if topic is None:
        raise MoveError(f"{kb.display(old)} is not a topic that can be moved")
    if not topic.valid:
        raise MoveError(f"{kb.display(old)} has front matter errors; fix them first "
                        "(`kb check` lists them)")
    if (kb.root / old).is_symlink():
        raise MoveError(f"{kb.display(old)} is a symlink; move the file it points to")
    if new == old:
        raise MoveError("the old and the new path are the same")
    if new in kb.topics or new in kb.assets or os.path.lexists(kb.root / new):
        raise MoveError(f"{kb.display(new)} already exists; not overwritten")
    if is_reserved(new):
        raise MoveError(f"{kb.display(new)} is the path of a generated page")
    for path, other in kb.topics.items():
        if path != old and new in other.aliases:
            raise MoveError(f"{kb.display(new)} is a former path of {kb.display(path)} (its "
                            "`aliases:`); remove it there first")

    move = Move(old, new)
    for path, other in kb.topics.items():
        text = _read(kb.root / path)
        lines = text.split("\n")
        n_links = _rewrite_links(other, lines, old, new, move)
        # A topic whose front matter has errors gets its links rewritten, nothing else.
        n_related = _rewrite_related(other, lines, old, new) if other.valid else 0
        if path == old:
            _record_alias(other, lines, old, new)
        if n_links or n_related or path == old:
            edited = "\n".join(lines)
            if other.valid:
                _verify(other, edited, old, new, kb.display(path))
            move.texts[new if path == old else path] = edited
            if path == old:
                move.own_links = n_links
            else:
                move.links += n_links
            move.related += n_related
    return move


def apply(kb: KnowledgeBase, move: Move) -> bool:
    """Write a planned move: the edited topics, the moved topic, then remove the old file.

    When git tracks the old file, the move is made with `git mv` and the moved topic's new
    text is staged, so git shows a rename; returns whether it did.
    """
    root = kb.root
    crlf = {path: b"\r\n" in (root / (move.old if path == move.new else path)).read_bytes()
            for path in move.texts}
    (root / move.new).parent.mkdir(parents=True, exist_ok=True)
    staged = _git_tracked(root, move.old) and _git(root, "mv", "--", move.old, move.new)
    for path, text in move.texts.items():
        _write(root / path, text, crlf=crlf[path])
    if staged:
        _git(root, "add", "--", move.new)
    else:
        (root / move.old).unlink()
    folder = (root / move.old).parent
    if folder != root and folder.exists() and not any(folder.iterdir()):
        folder.rmdir()  # git keeps no empty folders; neither does kb mv
    return staged


def _git_tracked(root: Path, path: str) -> bool:
    return _git(root, "ls-files", "--error-unmatch", "--", path)


def _git(root: Path, *args: str) -> bool:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60,
                              check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False  # no git: a plain move


# Links in bodies ----------------------------------------------------------------------------


def _rewrite_links(topic: Topic, lines: list[str], old: str, new: str, move: Move) -> int:
    moved = topic.path == old
    source = new if moved else topic.path
    edits: list[tuple[int, int, str, str]] = []  # (line index, column index, old, new)
    for link in topic.scan().links:
        target = link.target
        if is_external(target) or target.startswith(("/", "#")):
            continue
        dest = resolve(topic.path, target)
        if dest is None or (not moved and dest != old):
            continue
        dest = new if dest == old else dest
        if resolve(source, target) == dest:
            continue  # still right from where the topic is now (`./a.md` stays as written)
        rewritten = _relative(dest, source) + _suffix(target)
        index, col = link.line - 1, link.column - 1
        if index >= len(lines) or lines[index][col:col + len(target)] != target:
            move.skipped.append(f"{topic.path}:{link.line}:{link.column}")
            continue
        edits.append((index, col, target, rewritten))
    for index, col, before, after in sorted(edits, reverse=True):
        line = lines[index]
        lines[index] = line[:col] + after + line[col + len(before):]
    return len(edits)


def _relative(dest: str, source: str) -> str:
    rel = posixpath.relpath(dest, posixpath.dirname(source) or ".")
    return quote(rel, safe="/-._~!$&'*+,;=:@") if re.search(r"[\s()<>%]", rel) else rel


def _suffix(target: str) -> str:
    cut = min((i for i in (target.find("#"), target.find("?")) if i >= 0), default=len(target))
    return target[cut:]


# Front matter -------------------------------------------------------------------------------


def _fm_end(lines: list[str]) -> int:
    """Index of the closing `---` line."""
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return i
    raise MoveError("front matter is not closed")


def _block(lines: list[str], key_line: int) -> range:
    """Line indexes of the value of the key on file line ``key_line`` (1-based)."""
    start, end = key_line - 1, _fm_end(lines)
    stop = start + 1
    while stop < end and not _KEY.match(lines[stop]):
        stop += 1
    while stop - 1 > start and not lines[stop - 1].strip():
        stop -= 1
    return range(start, stop)


def _token(path: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w./-])(?P<q>[\"']?)" + re.escape(path) + r"(?P=q)(?![\w./-])")


def _rewrite_related(topic: Topic, lines: list[str], old: str, new: str) -> int:
    if old not in topic.related:
        return 0
    count = 0
    pattern = _token(old)
    for i in _block(lines, topic.meta_lines["related"]):
        lines[i], n = pattern.subn(lambda m: m.group("q") + new + m.group("q"), lines[i])
        count += n
    return count


def _record_alias(topic: Topic, lines: list[str], old: str, new: str) -> None:
    aliases = topic.aliases
    if new in aliases:
        _remove_alias(lines, _block(lines, topic.meta_lines["aliases"]), new)
    entry = old if _PLAIN_PATH.match(old) else f'"{old}"'
    if "aliases" not in topic.meta:
        lines.insert(_insert_at(topic, lines), f"aliases: [{entry}]")
        return
    block = _block(lines, topic.meta_lines["aliases"])
    flow = [i for i in block if "]" in lines[i]]
    if "[" in lines[block.start]:
        i = flow[-1]
        head, tail = lines[i].rsplit("]", 1)
        sep = "" if head.rstrip().endswith("[") else ", "
        lines[i] = head.rstrip() + sep + entry + "]" + tail
        return
    items = [i for i in block if lines[i].lstrip().startswith("- ")]
    if items:
        last = lines[items[-1]]
        indent = last[: len(last) - len(last.lstrip())]
        lines.insert(items[-1] + 1, f"{indent}- {entry}")
    else:  # `aliases:` with an empty value
        lines[block.start] = f"aliases: [{entry}]"


def _remove_alias(lines: list[str], block: range, alias: str) -> None:
    pattern = _token(alias)
    for i in reversed(block):
        line = lines[i]
        if line.lstrip().startswith("- ") and pattern.search(line):
            del lines[i]
            return
        if pattern.search(line):
            line = re.sub(r"(?:,\s*)?" + pattern.pattern, "", line, count=1)
            lines[i] = line.replace("[, ", "[").replace("[,", "[")
            return


def _insert_at(topic: Topic, lines: list[str]) -> int:
    # After the last key that comes before `aliases` in the documented order.
    names = [f.name for f in FIELDS]
    before = names[: names.index("aliases")]
    present = [topic.meta_lines[k] for k in before if k in topic.meta_lines]
    if not present:
        return _fm_end(lines)
    return _block(lines, max(present)).stop


def _verify(topic: Topic, text: str, old: str, new: str, shown: str) -> None:
    parts, problems = frontmatter.split(text, shown)
    if parts is None or problems:
        raise MoveError(f"{shown}: could not edit the front matter safely; nothing was changed")
    fm, problems = frontmatter.parse(parts, shown)
    expected = dict(topic.meta)
    if "related" in expected:
        expected["related"] = [new if p == old else p for p in expected["related"]]
    if topic.path == old:
        expected["aliases"] = [a for a in expected.get("aliases", []) if a != new] + [old]
    if problems or fm.values != expected:
        raise MoveError(f"{shown}: could not edit the front matter safely; nothing was changed "
                        "(edit it by hand)")


# Files --------------------------------------------------------------------------------------


def _read(path: Path) -> str:
    # As the loader reads it, so scanned line numbers match.
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _write(path: Path, text: str, *, crlf: bool) -> None:
    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    tmp = path.with_name(f".{path.name}.kb-mv-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
