"""Strict front matter: split a topic into YAML and body, parse the YAML, check it on the schema.

MkDocs throws away *all* front matter when its YAML has any error, silently, which would
turn a public topic into one without metadata. So kbtools parses it first, refuses anything
ambiguous, and hands MkDocs only the result.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kbtools.core.model.codes import finding
from kbtools.core.model.diagnostics import Diagnostic
from kbtools.core.model.schema import FIELDS_BY_NAME, Field, Kind
from kbtools.core.reading import hints

# libyaml when PyYAML has it: the same events and nodes (with line marks), much faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NULL = "tag:yaml.org,2002:null"
_NAMES = {_BOOL: "a boolean", "tag:yaml.org,2002:int": "a number",
          "tag:yaml.org,2002:float": "a number", _TIMESTAMP: "a date", _NULL: "empty (null)"}


@dataclass
class FrontMatter:
    """Parsed front matter: values by key and the line each key is on."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    first_line: int = 1  # line of the opening ---


@dataclass
class Split:
    """A topic file cut into its front matter text and its Markdown body."""

    yaml_text: str
    body: str
    yaml_first_line: int  # file line of the first YAML line
    body_first_line: int  # file line of the first body line


def split(text: str, path: str) -> tuple[Split | None, list[Diagnostic]]:
    """Cut ``text`` at its front matter fences, or say why it cannot be cut."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, [_diag(path, 1, 1, "KB101", "the topic does not start with front matter",
                            "put `---` on the first line, then `title:`, `audience:` and "
                            "`visibility:`, then `---`")]
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return Split("\n".join(lines[1:i]), "\n".join(lines[i + 1:]), 2, i + 2), []
    return None, [_diag(path, 1, 1, "KB102", "the front matter opened on line 1 is never closed",
                        "add a line with `---` after the last key")]


def parse(split_: Split, path: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """Parse and check the YAML of one topic. Problems are returned, never raised."""
    offset = split_.yaml_first_line
    fm = FrontMatter(first_line=offset - 1)
    try:
        events = list(yaml.parse(split_.yaml_text, Loader=_LOADER))
        root = yaml.compose(split_.yaml_text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + offset, mark.column + 1) if mark else (offset, 0)
        problem = (e.problem or e.context or "invalid YAML").strip()
        context = f"{e.context or ''} {problem}"
        opened = e.context_mark.line if e.context_mark else None
        hint = hints.yaml_hint(context, split_.yaml_text.split("\n"), line - offset, offset,
                               opened)
        return fm, [_diag(path, line, col, "KB103", f"front matter is not valid YAML: {problem}",
                          hint)]
    except yaml.YAMLError as e:  # a ReaderError (control character) carries no mark
        position = getattr(e, "position", 0)
        line = split_.yaml_text.count("\n", 0, position) + offset
        return fm, [_diag(path, line, 0, "KB103", "front matter is not valid YAML: "
                          f"{getattr(e, 'reason', e)}", "remove the control character")]

    diags = _reject_tags_and_aliases(events, path, offset)
    if root is None:
        root = MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(root, MappingNode):
        return fm, [_at(path, root, offset, "KB113", "front matter must be `key: value` lines",
                        "write one `key: value` per line")]

    seen: dict[str, int] = {}
    misspelt: set[str] = set()  # keys a KB105 hint names: `titel:` is one mistake, not two
    for key_node, value_node in root.value:
        key_line = key_node.start_mark.line + offset
        if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
            diags.append(_at(path, key_node, offset, "KB107",
                             f"front matter key `{_plain(key_node)}` must be a plain word"))
            continue
        key = key_node.value
        if key in seen:
            diags.append(_at(path, key_node, offset, "KB104",
                             f"`{key}` appears twice (first on line {seen[key]})",
                             "keep one of them"))
            continue
        seen[key] = key_line
        spec = FIELDS_BY_NAME.get(key)
        if spec is None:
            meant = _closest_key(key, FIELDS_BY_NAME)
            if meant:
                misspelt.add(meant)
            diags.append(_at(path, key_node, offset, "KB105", f"unknown front matter key `{key}`",
                             f"did you mean `{meant}`?" if meant
                             else f"known keys: {', '.join(FIELDS_BY_NAME)}"))
            continue
        value, problems = _check_value(spec, value_node, path, offset)
        diags += problems
        if not problems:
            fm.values[key] = value
            fm.lines[key] = key_line

    for spec in FIELDS_BY_NAME.values():
        if spec.required and spec.name not in seen and spec.name not in misspelt:
            diags.append(_diag(path, fm.first_line, 1, "KB109",
                               f"required key `{spec.name}` is missing",
                               f"add `{spec.name}: {_example(spec)}`"))
    return fm, diags


def _reject_tags_and_aliases(events: list[Any], path: str, offset: int) -> list[Diagnostic]:
    # Tags and aliases make a value depend on YAML features other tools read differently;
    # the contract is plain scalars, lists and one mapping.
    diags = []
    for ev in events:
        line, col = ev.start_mark.line + offset, ev.start_mark.column + 1
        if isinstance(ev, AliasEvent):
            diags.append(_diag(path, line, col, "KB106",
                               f"YAML alias `*{ev.anchor}` is not allowed",
                               "write the value out in full"))
        elif isinstance(ev, NodeEvent) and ev.anchor:
            diags.append(_diag(path, line, col, "KB106",
                               f"YAML anchor `&{ev.anchor}` is not allowed",
                               "remove the anchor"))
        if isinstance(ev, (ScalarEvent, CollectionStartEvent)) and ev.tag is not None:
            diags.append(_diag(path, line, col, "KB106", f"YAML tag `{ev.tag}` is not allowed",
                               "remove the tag; quote the value if it must stay text"))
    return diags


def _check_value(spec: Field, node: Node, path: str, offset: int) -> tuple[Any, list[Diagnostic]]:
    kind = spec.kind
    if kind in (Kind.TEXT, Kind.CHOICE):
        return _scalar_text(spec, node, path, offset)
    if kind is Kind.DATE:
        return _date(spec, node, path, offset)
    if kind is Kind.BOOL:
        return _bool(spec, node, path, offset)
    # Lists.
    if not isinstance(node, SequenceNode):
        coerced = _coercion_note(node)
        code = "KB110" if coerced else "KB107"
        hint = (hints.list_hint(spec.name, node.value, spec.choices)
                if isinstance(node, ScalarNode) and node.tag == _STR and node.value.strip()
                else f"write `{spec.name}: {_example(spec)}`")
        return None, [_at(path, node, offset, code,
                          f"`{spec.name}` must be a list{coerced}", hint)]
    if not node.value and spec.required:
        return None, [_at(path, node, offset, "KB112", f"`{spec.name}` must not be empty",
                          f"write `{spec.name}: {_example(spec)}`")]
    items, diags = [], []
    for item in node.value:
        value, problems = _scalar_text(spec, item, path, offset)
        diags += problems
        if not problems:
            if value in items:
                diags.append(_at(path, item, offset, "KB104",
                                 f"`{value}` is listed twice in `{spec.name}`", "keep one"))
            items.append(value)
    return items, diags


def _scalar_text(spec: Field, node: Node, path: str, offset: int) -> tuple[Any, list[Diagnostic]]:
    if not isinstance(node, ScalarNode):
        return None, [_at(path, node, offset, "KB107", f"`{spec.name}` must be text, not a "
                          f"{'list' if isinstance(node, SequenceNode) else 'mapping'}",
                          f"write `{spec.name}: {_example(spec)}`")]
    if node.tag != _STR:
        return None, [_at(path, node, offset, "KB110",
                          f"`{spec.name}`: YAML reads `{node.value}` as "
                          f"{_NAMES.get(node.tag, node.tag)}, not text",
                          _text_hint(spec, node.value))]
    value = node.value.strip()
    if not value:
        return None, [_at(path, node, offset, "KB112", f"`{spec.name}` must not be empty",
                          f"write `{spec.name}: {_example(spec)}`")]
    if spec.choices and value not in spec.choices:
        near = hints.closest_choice(value, spec.choices)
        hint = (f"write `{near}` (lowercase, as listed)" if near
                else f"use one of: {', '.join(spec.choices)}")
        return None, [_at(path, node, offset, "KB108",
                          f"`{value}` is not an allowed `{spec.name}` "
                          f"(allowed: {', '.join(spec.choices)})", hint)]
    if spec.kind is Kind.PATH_LIST:
        problem = _path_problem(value)
        if problem:
            return None, [_at(path, node, offset, "KB107",
                              f"`{spec.name}` entry `{value}` {problem}",
                              "write a path relative to content/, e.g. "
                              "`accounts-and-passwords/reset-password.md`")]
    return value, []


def _date(spec: Field, node: Node, path: str, offset: int) -> tuple[Any, list[Diagnostic]]:
    if isinstance(node, ScalarNode) and node.tag == _TIMESTAMP:
        try:
            value = yaml.SafeLoader("").construct_object(node)
        except ValueError:  # 2026-02-30, 2026-13-01: the shape of a date, no day of the year
            found = hints.date_hint(spec.name, node.value.split()[0].split("T")[0])
            problem, hint = found or (f"`{spec.name}: {node.value}` is not a date",
                                      f"write `{spec.name}: {_example(spec)}`")
            return None, [_at(path, node, offset, "KB107", problem, hint)]
        if isinstance(value, dt.datetime):
            return None, [_at(path, node, offset, "KB107", f"`{spec.name}` must be a date without "
                              "a time", f"write `{spec.name}: {value.date().isoformat()}`")]
        return value, []
    if isinstance(node, ScalarNode) and node.tag == _STR:
        try:
            parsed = dt.date.fromisoformat(node.value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return None, [_at(path, node, offset, "KB110", f"`{spec.name}` is the text "
                              f"\"{node.value}\", not a date", f"remove the quotes: "
                              f"`{spec.name}: {parsed.isoformat()}`")]
    if isinstance(node, ScalarNode):
        found = hints.date_hint(spec.name, node.value)
        if found is not None:
            return None, [_at(path, node, offset, "KB107", *found)]
    return None, [_at(path, node, offset, "KB107", f"`{spec.name}` must be a date (YYYY-MM-DD)",
                      f"write `{spec.name}: {_example(spec)}`")]


def _bool(spec: Field, node: Node, path: str, offset: int) -> tuple[Any, list[Diagnostic]]:
    # YAML 1.1 also reads yes/no/on/off as booleans, YAML 1.2 reads them as text: accept only
    # the spelling both agree on.
    if isinstance(node, ScalarNode) and node.tag == _BOOL and node.value in ("true", "false"):
        return node.value == "true", []
    return None, [_at(path, node, offset, "KB110" if isinstance(node, ScalarNode) and
                      node.tag == _BOOL else "KB107",
                      f"`{spec.name}` must be `true` or `false`, not `{_plain(node)}`",
                      f"write `{spec.name}: true`")]


def _path_problem(value: str) -> str | None:
    if value.startswith("/") or "\\" in value:
        return "must be relative to content/ with forward slashes"
    if any(part in ("..", ".", "") for part in value.split("/")):
        return "must not contain `..`, `.` or empty parts"
    if not value.endswith(".md"):
        return "must name a Markdown file ending in .md"
    return None


def _text_hint(spec: Field, raw: str) -> str:
    if spec.choices:
        return f"use one of: {', '.join(spec.choices)}"
    return f"put it in quotes: `{spec.name}: \"{raw}\"`"


def _coercion_note(node: Node) -> str:
    if isinstance(node, ScalarNode) and node.tag in (_BOOL, _NULL):
        return f" (YAML reads `{node.value or '(nothing)'}` as {_NAMES[node.tag]})"
    return ""


def _closest_key(key: str, names: dict[str, Field]) -> str | None:
    lowered = {n.lower(): n for n in names}
    match = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _example(spec: Field) -> str:
    ex = spec.example
    if isinstance(ex, list):
        return "[" + ", ".join(str(x) for x in ex) + "]"
    if isinstance(ex, bool):
        return "true" if ex else "false"
    if spec.kind is Kind.TEXT:
        return f'"{ex}"'
    return str(ex)


def _plain(node: Node) -> str:
    # A collection node has no text; its kind (`sequence`, `mapping`) names it.
    return str(node.value) if isinstance(node, ScalarNode) else str(getattr(node, "id", "value"))


def _at(path: str, node: Node, offset: int, code: str, message: str, hint: str | None = None,
        ) -> Diagnostic:
    mark = node.start_mark
    return _diag(path, mark.line + offset, mark.column + 1, code, message, hint)


def _diag(path: str, line: int, col: int, code: str, message: str, hint: str | None = None,
          ) -> Diagnostic:
    return finding(path, line, col, code, message, hint)
