"""JSON Schemas generated from the definitions the checker uses.

``topic_schema()`` describes the front matter (from schema.FIELDS), so an editor can complete
keys and flag mistakes while typing; ``diagnostic_schema()`` describes one object of
`kb check --format json` (from the Diagnostic type and the code registry). The committed copies
in schema/ are tested to equal what these functions return.

What a JSON Schema cannot say and only `kb check` finds: YAML-level problems (malformed YAML,
duplicate keys, tags and anchors), a date written in quotes (editors read YAML 1.2, where an
unquoted date is text too), and everything across topics (duplicate ids, links, aliases).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from kbtools.core.model.codes import CODES
from kbtools.core.model.diagnostics import Diagnostic, Severity
from kbtools.core.model.schema import FIELDS, Field, Kind

DRAFT = "http://json-schema.org/draft-07/schema#"  # the draft VS Code's YAML extension reads best

# A path relative to content/: forward slashes, no empty, `.` or `..` parts, ending in .md.
PATH_PATTERN = r"^(?:(?!\.\.?/)[^/\\]+/)*[^/\\]+\.md$"
NOT_BLANK = r"\S"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def topic_schema() -> dict[str, Any]:
    """The JSON Schema of a topic's front matter."""
    return {
        "$schema": DRAFT,
        "title": "kbtools topic front matter",
        "description": "The YAML between the `---` lines at the top of a topic in content/. "
                       "Generated from kbtools/core/model/schema.py; `kb check` checks the same "
                       "rules and more.",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in FIELDS if f.required],
        "properties": {f.name: _property(f) for f in FIELDS},
    }


def _property(spec: Field) -> dict[str, Any]:
    prop: dict[str, Any] = {"description": spec.description}
    text = {"type": "string", "minLength": 1, "pattern": NOT_BLANK}
    if spec.kind is Kind.TEXT:
        prop.update(text)
    elif spec.kind is Kind.CHOICE:
        prop.update({"type": "string", "enum": list(spec.choices)})
    elif spec.kind is Kind.DATE:
        prop.update({"type": "string", "format": "date", "pattern": DATE_PATTERN})
    elif spec.kind is Kind.BOOL:
        prop["type"] = "boolean"
    else:
        item_types: dict[Kind, dict[str, Any]] = {
            Kind.TEXT_LIST: text,
            Kind.CHOICE_LIST: {"type": "string", "enum": list(spec.choices)},
            Kind.PATH_LIST: {"type": "string", "pattern": PATH_PATTERN},
        }
        items = item_types[spec.kind]
        prop.update({"type": "array", "items": dict(items), "uniqueItems": True})
        if spec.required:
            prop["minItems"] = 1
    if spec.example is not None:
        prop["examples"] = [spec.example]
    return prop


_DIAGNOSTIC_FIELDS = {
    "path": ("string", "The file, relative to the folder kb was run in (or to the built site "
                       "for KB5xx audit findings)."),
    "line": ("integer", "1-based line; 0 when the finding is about the whole file."),
    "column": ("integer", "1-based column; 0 when the finding is about the whole line."),
    "code": ("string", "The diagnostic code; docs/diagnostics.md explains each one."),
    "message": ("string", "What is wrong, in one sentence."),
    "hint": (["string", "null"], "How to fix it, or null."),
    "severity": ("string", "error fails `kb check` and builds; warning fails only with "
                           "--strict."),
}


def diagnostic_schema() -> dict[str, Any]:
    """The JSON Schema of one line of `kb check --format json`."""
    names = [f.name for f in dataclasses.fields(Diagnostic)]
    assert names == list(_DIAGNOSTIC_FIELDS), "Diagnostic changed: describe its fields here"
    props: dict[str, Any] = {}
    for name, (type_, description) in _DIAGNOSTIC_FIELDS.items():
        props[name] = {"type": type_, "description": description}
    props["line"]["minimum"] = props["column"]["minimum"] = 0
    props["code"]["enum"] = sorted(CODES)
    props["severity"]["enum"] = [s.value for s in Severity]
    return {
        "$schema": DRAFT,
        "title": "kbtools diagnostic",
        "description": "One finding of `kb check --format json`: the output has one such "
                       "JSON object per line (JSON Lines), sorted by path, line and column.",
        "type": "object",
        "additionalProperties": False,
        "required": names,
        "properties": props,
    }


SCHEMAS = {"topic": topic_schema, "diagnostic": diagnostic_schema}


def dumps(schema: dict[str, Any]) -> str:
    """The committed form: two-space indent, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
