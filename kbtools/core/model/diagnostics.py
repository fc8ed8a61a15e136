"""The one type every check reports with, and the ways it is printed."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass


class Severity(str, enum.Enum):
    """How bad a finding is: errors fail builds and `kb check`, warnings only with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding tied to a place in a source file.

    ``path`` is relative to the content folder (or the output folder for audit findings),
    ``line`` and ``column`` are 1-based; 0 means "the whole file" or "the whole line".
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """``path:line:col`` with the parts that are known."""
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where

    def format_text(self) -> str:
        """The human form: ``file:line:col: error[CODE]: message`` and an indented hint."""
        text = f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """The JSON form (see docs/diagnostics.md for the schema)."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    """All findings in reading order, one block each."""
    return "\n".join(d.format_text() for d in sorted(diagnostics))


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    """One JSON object per line, sorted like the text form."""
    return "\n".join(json.dumps(d.to_json(), ensure_ascii=False) for d in sorted(diagnostics))


def format_github(diagnostics: Iterable[Diagnostic], root: str = "") -> str:
    """GitHub Actions workflow commands, so findings show on the pull request's lines.

    ``root`` is prefixed to each path so it is relative to the repository, as GitHub expects.
    """
    lines = []
    for d in sorted(diagnostics):
        level = "error" if d.is_error else "warning"
        props = [f"file={_escape_property(root + d.path)}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property(d.code)}")
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)


def _escape_data(value: str) -> str:
    # The escaping GitHub's toolkit applies (actions/toolkit, command.ts).
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Only the findings that fail a build."""
    return [d for d in diagnostics if d.is_error]
