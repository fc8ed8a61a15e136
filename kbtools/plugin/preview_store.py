"""The preview's memo on disk, so the next `kb serve` starts warm.

`kb serve` saves what it remembers (kbtools/plugin/preview.py's RenderMemo: the probe's renders,
the core's per-topic work, rendered pages) when it stops, in `.cache/kbtools/` next to
mkdocs.yml (a hidden folder: never content, never in a site), and reads it back on start when
it was written by the same code for the same configuration: the same kbtools files, the same
versions of Python, MkDocs, Material, Python-Markdown and pymdown-extensions, and the same
mkdocs.yml. Anything else starts cold. Every key inside is content, so a topic edited while
no preview ran is simply not found and is read again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.kbtools.preview")

_FORMAT = 1
_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pyyaml")


def location(config_file: str, site: str) -> Path:
    """Where the preview of ``site`` keeps its memo."""
    return Path(config_file).resolve().parent / ".cache" / "kbtools" / f"preview-{site}.pickle"


def stamp(config_key: str) -> str:
    """What the saved memo must have been made with (code, versions, configuration)."""
    h = hashlib.sha256(f"{_FORMAT}\n{sys.version}\n{config_key}\n".encode())
    for name in _PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def load(path: Path, expected: str) -> dict[str, Any] | None:
    """The saved state, when it was made with ``expected`` (see :func:`stamp`)."""
    try:
        with open(path, "rb") as f:
            saved = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as e:  # (a damaged or foreign file: start cold)
        log.debug(f"kb serve: not reading {path}: {type(e).__name__}: {e}")
        return None
    if not isinstance(saved, dict) or saved.get("stamp") != expected:
        return None
    state = saved.get("state")
    return state if isinstance(state, dict) else None


def save(path: Path, stamp_: str, state: dict[str, Any]) -> None:
    """Write ``state`` for the next start (atomically: a reader never sees half a file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as f:
            pickle.dump({"stamp": stamp_, "state": state}, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception as e:  # (a preview that cannot save still worked)
        log.warning(f"kb serve: could not keep the preview's memo in {path}: {e}")
