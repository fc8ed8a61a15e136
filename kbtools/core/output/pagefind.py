"""The site's search index: Pagefind, run on the staged site after every page is written.

Pagefind reads the built HTML (only the elements marked ``data-pagefind-body``: the answers
of topic pages, overrides/main.html) and writes a chunked index into ``pagefind/``: a phone
downloads the index chunks for the words it searches and the fragments of the results it
shows, not the whole site's text. One index per site, made from that site's own pages: the
public one holds only what the public pages show, and the audit reads every file of it
(:mod:`pagefind_files`).

The indexer is the binary the ``pagefind[bin]`` wheel ships; nothing is downloaded.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

FOLDER = "pagefind"
# What overrides/assets/javascripts/kb.js loads; Pagefind's own UI bundles are not used and
# are not published (fewer files, nothing unreviewed on the site).
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
           "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
           "pagefind-highlight.js")
# Text Material's search left out stays out of this one too ("Last updated", related topics).
# The tag chips above the title are not the answer's text either.
_EXCLUDE = "[data-search-exclude], .md-tags"


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site (the build is refused)."""


def executable() -> Path:
    """The Pagefind binary of the installed ``pagefind-bin`` wheel."""
    try:
        import pagefind_bin
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise SearchIndexError("the search indexer is not installed (pip install 'pagefind[bin]')"
                          ) from e
    return Path(pagefind_bin.get_executable())


def build_index(site_dir: str | Path, *, language: str = "en") -> Path:
    """Index ``site_dir`` in place; returns the index folder (``site_dir/pagefind``)."""
    site = Path(site_dir)
    out = site / FOLDER
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(executable()), "--site", str(site), "--output-subdir", FOLDER,
           "--exclude-selectors", _EXCLUDE, "--force-language", language, "--quiet"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SearchIndexError(f"the search indexer did not run: {e}") from e
    if done.returncode != 0 or not (out / "pagefind-entry.json").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SearchIndexError("the search indexer failed: " + " / ".join(detail))
    for name in _UNUSED:
        (out / name).unlink(missing_ok=True)
    return out
