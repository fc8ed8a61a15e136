"""Shared fixtures: write a small knowledge base into a temporary folder and build it for real."""

from __future__ import annotations

import gzip
import logging
import os
import re
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mkdocs.exceptions import MkDocsException

from kbtools.cli import main
from kbtools.core.output import pagefind_files
from kbtools.core.site.plan import Site
from kbtools.plugin.build import build_site

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")

# A 1x1 PNG, so image files are real images.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000185d1bd0c0000000049454e44ae426082"
)


_SUMMARY = '"A short summary."'


def kb_cli(*args: str, color: bool = False) -> Result:
    """Run `kb ARGS` in this process, as a writer would type it; stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), color=color, prog_name="kb")


def write_site(site: Path, files: dict[str, str | bytes]) -> Path:
    """A hand-made output folder (for audit tests): ``files`` maps paths to their contents."""
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return site


def topic(title: str, *, visibility: str | None = "public", audience: str = "[publisher]",
          body: str = "A short answer.", summary: str | None = _SUMMARY, **extra: str) -> str:
    """The text of a topic file; ``extra`` adds front matter lines as written.

    A public topic must have a summary (KB124). Unless one is given (or ``summary=None``),
    a default one is written last, in place of the blank line after the front matter, so
    body lines keep their numbers (tests name them).
    """
    lines = ["---", f'title: "{title}"', f"audience: {audience}"]
    if visibility is not None:
        lines.append(f"visibility: {visibility}")
    if summary is not None and summary is not _SUMMARY:
        lines.append(f"summary: {summary}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    gap = "\n\n"
    if summary is _SUMMARY:
        lines.append(f"summary: {summary}")
        gap = "\n"
    lines.append("---")
    return "\n".join(lines) + gap + textwrap.dedent(body).strip() + "\n"


class Project:
    """A temporary project: mkdocs.yml (the real one, pointed at this content) and content/."""

    def __init__(self, root: Path, config_text: str | None = None) -> None:
        self.root = root
        self.content = root / "content"
        self.content.mkdir(parents=True, exist_ok=True)
        text = config_text if config_text is not None else (ROOT / "mkdocs.yml").read_text()
        text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: content", text)
        text = re.sub(r"(?m)^(\s*custom_dir:).*$", rf"\1 {ROOT / 'overrides'}", text)
        self.config = root / "mkdocs.yml"
        self.config.write_text(text)

    def write(self, path: str, text: str | bytes) -> Path:
        full = self.content / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            full.write_bytes(text)
        else:
            full.write_text(text)
        return full

    def build(self, site: Site, out: Path | None = None) -> Path:
        out = out or self.root / "site" / site.value
        return build_site(self.config, site, site_dir=out)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "kb")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Project]:
    def make(name: str) -> Project:
        return Project(tmp_path / name)
    return make


def assert_refused(p: Project, out: Path, before: dict[str, bytes],
                   caplog: pytest.LogCaptureFixture, *expected: str) -> None:
    """Building the public site into ``out`` fails, logs every ``expected`` text, and leaves
    the previous site (``before``) byte-identical with no staging folder behind."""
    with caplog.at_level(logging.WARNING), pytest.raises(MkDocsException):
        p.build(Site.PUBLIC, out)
    for text in expected:
        assert text in caplog.text, caplog.text[-3000:]
    assert tree_digest(out) == before, "the previous site was changed"
    assert [x.name for x in out.parent.iterdir()] == [out.name], "a staging folder was left"


def in_ci() -> bool:
    """CI=true: what the suite needs must be there, nothing may be skipped for lack of it."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(ok: object, reason: str, fix: str) -> None:
    """Skip locally, fail in CI, when a tool the tests need (Chromium, nginx) is missing."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: these tests must run here, not skip; {fix})",
                    pytrace=False)
    pytest.skip(f"{reason}; {fix}")


def site_files(site_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of a built site as (relative path, bytes), .gz files and the search
    index's compressed files decompressed too."""
    for path in sorted(site_dir.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            rel = path.relative_to(site_dir).as_posix()
            yield rel, data
            # Pagefind's index files (pagefind/…) are gzip streams too, whatever their name.
            if rel.endswith((".gz", *pagefind_files.SUFFIXES)):
                yield rel.removesuffix(".gz") + " (decompressed)", gzip.decompress(data)


def site_text(site_dir: Path) -> str:
    """All of a site's bytes (paths included) as one lowercase string, for canary searches."""
    parts = []
    for rel, data in site_files(site_dir):
        parts.append(rel)
        parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts).lower()


def tree_digest(site_dir: Path) -> dict[str, bytes]:
    """Path -> bytes for a whole site, to compare two builds byte for byte."""
    return {p.relative_to(site_dir).as_posix(): p.read_bytes()
            for p in sorted(site_dir.rglob("*")) if p.is_file()}


def in_thread(fn: Callable[[], None], timeout: float, name: str = "browser") -> None:
    """Run ``fn`` in a thread of its own and re-raise what it raised: Playwright's sync API
    refuses to start where another sync Playwright (another module's session fixture) runs."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the browser test did not finish within {timeout}s")
    if errors:
        raise errors[0]
