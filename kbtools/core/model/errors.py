"""The one error hierarchy of kbtools, and the one exit-code policy every command applies.

A `KbError` is a refusal said in one line. Content problems are Diagnostics (many, each with a
file and line); a KbError is what stops a command: a wrong command line, a project file that
cannot be read, a build that may not be published. Each class fixes its exit status:

    0  everything passed
    1  the content or the build was refused (ContentError, BuildRefused)
    2  the command line is wrong (UsageError)

A refusal that has a code in codes.py carries it, and its fix text comes from there, so the
same mistake is explained the same way by every command and by `kb codes`.
"""

from __future__ import annotations

from typing import ClassVar

from kbtools.core.model.codes import CODES

OK, REFUSED, USAGE = 0, 1, 2


class KbError(Exception):
    """A refusal of kbtools: a message and, when the refusal has one, its code."""

    exit_code: ClassVar[int] = REFUSED

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code is not None and code not in CODES:
            raise ValueError(f"{code} is not in codes.py")  # a bug: every code is documented
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]" if self.code else self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Refusals cross process boundaries (`kb build` builds the sites in two processes).
        return _rebuild, (type(self), self.message, self.code)

    def format_text(self, who: str) -> str:
        """``kb build: message [KB402]`` and the code's fix as a hint, or ``who: message``."""
        text = f"{who}: {self}"
        return f"{text}\n    hint: {self.fix}" if self.code else text

    @property
    def fix(self) -> str | None:
        """How to fix it: the code's fix text from codes.py, if it has a code."""
        return CODES[self.code].fix if self.code else None


class UsageError(KbError):
    """The command line names something that is not there or not allowed (exit 2)."""

    exit_code = USAGE


class ContentError(KbError):
    """The content or a project file (mkdocs.yml, a topic) is refused (exit 1)."""


class BuildRefused(KbError):
    """A build ran and was refused: nothing was published, the previous site is kept (exit 1)."""


def _rebuild(cls: type[KbError], message: str, code: str | None) -> KbError:
    return cls(message, code=code)
