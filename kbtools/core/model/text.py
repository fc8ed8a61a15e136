"""Words: the unit every text comparison of kbtools uses (the audit, the passage check)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Lowercase words of ``text`` (NFKC-normalised letters and digits)."""
    # NFKC leaves ASCII as it is; most text is ASCII, and normalising it costs more than the
    # search.
    return _WORD.findall((text if text.isascii() else unicodedata.normalize("NFKC", text))
                         .lower())
