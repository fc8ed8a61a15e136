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

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from kbtools.core.output import pagefind_files

FOLDER = "pagefind"
# What overrides/assets/javascripts/kb.js loads; Pagefind's own UI bundles are not used and
# are not published (fewer files, nothing unreviewed on the site).
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
           "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
           "pagefind-highlight.js")
# Text Material's search left out stays out of this one too ("Last updated", related topics).
_EXCLUDE = "[data-search-exclude]"


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site (the build is refused)."""


def executable() -> Path:
    """The Pagefind binary of the installed ``pagefind-bin`` wheel."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]  # no type information shipped
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
    _canonical_filters(out)
    return out


def _canonical_filters(out: Path) -> None:
    """Make the index reproducible: Pagefind writes a filter's values in hash-map order,
    which changes from run to run. Each filter file's values are put in byte order, the
    file renamed after its new content, and the index's references (the ``pf_meta`` file,
    itself renamed, and ``pagefind-entry.json``) follow; the same site then gives the same
    bytes every time."""
    renamed: dict[str, str] = {}
    for path in sorted((out / "filter").glob("*.pf_filter")):
        body = _body(path.read_bytes())
        sorted_body = pagefind_files.sorted_filter(body)
        old = path.name.removesuffix(".pf_filter")
        new = _name(old, sorted_body, len(old.split("_", 1)[1]))
        if new != old or sorted_body != body:
            path.unlink()
            _write(out / "filter" / f"{new}.pf_filter", sorted_body)
            renamed[old] = new
    if not renamed:
        return
    entry_path = out / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry.get("languages", {}).values():
        meta_path = out / f"pagefind.{language['hash']}.pf_meta"
        meta = _body(meta_path.read_bytes())
        for old, new in renamed.items():
            meta = meta.replace(old.encode(), new.encode())  # same length: CBOR stays valid
        new_hash = _name(language["hash"], meta, len(language["hash"].split("_", 1)[1]))
        meta_path.unlink()
        _write(out / f"pagefind.{new_hash}.pf_meta", meta)
        language["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")


def _body(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(pagefind_files.SIGNATURE):
        raise SearchIndexError("the search indexer wrote a file without its signature")
    return raw[len(pagefind_files.SIGNATURE):]


def _write(path: Path, body: bytes) -> None:
    path.write_bytes(gzip.compress(pagefind_files.SIGNATURE + body, mtime=0))


def _name(old: str, body: bytes, digits: int) -> str:
    # "en_063318c": the language, then a hash of the content (any hash will do for the
    # browser: it only has to change when the content does).
    return f"{old.split('_', 1)[0]}_{hashlib.sha256(body).hexdigest()[:digits]}"
