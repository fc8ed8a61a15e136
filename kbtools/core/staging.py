"""Build into a temporary folder and move it into place only when the build is good."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Staging:
    """A sibling folder of ``target`` that replaces it on :meth:`commit`.

    The staging folder sits next to the target so the final rename stays on one file system.
    A failed build calls :meth:`abort` and the previous site is left as it was.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target).resolve()
        self.tmp = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        self._old = self.target.with_name(f".{self.target.name}.previous-{os.getpid()}")

    def begin(self) -> Path:
        """Create an empty staging folder and return it."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir()
        return self.tmp

    def commit(self) -> None:
        """Swap the staging folder in; the previous site is removed only after the swap."""
        shutil.rmtree(self._old, ignore_errors=True)
        had_previous = self.target.exists()
        if had_previous:
            self.target.rename(self._old)
        try:
            self.tmp.rename(self.target)
        except OSError:
            if had_previous:
                self._old.rename(self.target)
            raise
        shutil.rmtree(self._old, ignore_errors=True)

    def abort(self) -> None:
        """Throw the staging folder away."""
        shutil.rmtree(self.tmp, ignore_errors=True)
