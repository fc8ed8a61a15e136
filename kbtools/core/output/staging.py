"""Build into a temporary folder and move it into place only when the build is good.

Each finished site carries a marker file naming the site it holds. A build never replaces a
folder that holds the other site, one of the folders the other site is configured to go to, or
a folder that is not a kbtools site at all: writing the members site over the public one (or
over someone's documents) is refused before anything is built (KB401).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from kbtools.core.model.errors import BuildRefused

MARKER = ".kbtools-site"


class StagingError(BuildRefused):
    """The target folder must not receive this site; the message says why (KB401)."""

    def __init__(self, message: str, *, code: str | None = "KB401") -> None:
        super().__init__(message, code=code)


class Staging:
    """A sibling folder of ``target`` that replaces it on :meth:`commit`.

    The staging folder sits next to the target so the final rename stays on one file system.
    A failed build calls :meth:`abort` and the previous site is left as it was.
    """

    def __init__(self, target: str | os.PathLike[str], site: str = "",
                 expected: Mapping[str, Path] | None = None) -> None:
        self.target = Path(target).resolve()
        self.site = site
        self.tmp = self.target.with_name(f".{self.target.name}.building-{os.getpid()}")
        self._old = self.target.with_name(f".{self.target.name}.previous-{os.getpid()}")
        if site:
            refuse(self.target, site, expected or {})

    def begin(self) -> Path:
        """Create an empty staging folder and return it."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir()
        return self.tmp

    def commit(self) -> None:
        """Swap the staging folder in; the previous site is removed only after the swap."""
        if self.site:
            (self.tmp / MARKER).write_text(json.dumps({"site": self.site}) + "\n")
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


def site_of(folder: Path) -> str | None:
    """Which site ``folder`` holds: its marker, or for older builds its robots.txt; None for a
    folder that is not a kbtools site (or is empty)."""
    try:
        return str(json.loads((folder / MARKER).read_text())["site"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        robots = (folder / "robots.txt").read_text(errors="replace")
    except OSError:
        return None
    if "Members site" in robots or "Disallow: /\n" in robots:
        return "members"
    return "public" if "Allow: /" in robots else None


def refuse(target: Path, site: str, expected: Mapping[str, Path]) -> None:
    """Raise StagingError when ``site`` must not be written to ``target``."""
    for other, folder in expected.items():
        if other != site and _same(folder, target):
            raise StagingError(f"{target} is where the {other} site goes; the {site} site is "
                               "never written there")
    if not target.exists():
        return
    if not target.is_dir():
        raise StagingError(f"{target} is a file, not a site folder")
    holds = site_of(target)
    if holds is not None and holds != site:
        raise StagingError(f"{target} holds the {holds} site; the {site} site is never written "
                           "over it")
    if holds is None and any(target.iterdir()):
        raise StagingError(f"{target} is not empty and holds no kbtools site; kbtools replaces "
                           "only folders it built")


def _same(a: Path, b: Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
