"""Hints made from what the writer wrote: dates in other formats, YAML syntax slips, lists.

Every hint here quotes the writer's own value back, corrected, rather than a fixed example:
a US writer who wrote ``01/11/2026`` is shown both readings, not someone else's date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Sequence

_NUMERIC = re.compile(r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})$")
_WORDY = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
          "%d. %B %Y", "%d-%b-%Y")


def impossible_date(year: int, month: int, day: int) -> str:
    """Why ``year-month-day`` is no day of the calendar (empty when it is one)."""
    if not 1 <= month <= 12:
        return f"there is no month {month} (months are 01 to 12)"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{calendar.month_name[month]} {year} has {last} days"
    return ""


def date_hint(key: str, raw: str) -> tuple[str, str] | None:
    """(problem, hint) for a value that is not an ISO date, or None when it is no date at all.

    ``01/11/2026`` is ambiguous: both readings are offered. ``2026-02-30`` names no day: the
    problem says why, and the hint offers the swap of month and day when that is a real day.
    """
    raw = raw.strip()
    m = _NUMERIC.match(raw)
    if m:
        a, b, c = m.groups()
        if len(a) == 4:
            return _ymd(key, raw, int(a), int(b), int(c))
        if len(c) == 4:
            return _day_month_or_month_day(key, raw, int(a), int(b), int(c))
        return None
    for fmt in _WORDY:
        try:
            parsed = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        return (f"`{key}: {raw}` is not written as YYYY-MM-DD",
                f"write `{key}: {parsed.isoformat()}`")
    if raw.isdigit() and len(raw) == 8:
        return _ymd(key, raw, int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    return None


def _ymd(key: str, raw: str, y: int, mo: int, d: int) -> tuple[str, str]:
    why = impossible_date(y, mo, d)
    if not why:
        return (f"`{key}: {raw}` is not written as YYYY-MM-DD",
                f"write `{key}: {dt.date(y, mo, d).isoformat()}`")
    swapped = "" if impossible_date(y, d, mo) else dt.date(y, d, mo).isoformat()
    hint = (f"did you mean `{key}: {swapped}`? (YYYY-MM-DD: the month comes before the day)"
            if swapped else f"write a day that exists, as YYYY-MM-DD, e.g. "
            f"`{key}: {_nearest(y, mo, d)}`")
    return f"`{key}: {raw}` is not a date: {why}", hint


def _nearest(y: int, mo: int, d: int) -> str:
    mo = min(max(mo, 1), 12)
    d = min(max(d, 1), calendar.monthrange(y, mo)[1])
    return dt.date(y, mo, d).isoformat()


def _day_month_or_month_day(key: str, raw: str, a: int, b: int, y: int) -> tuple[str, str]:
    readings = []
    if not impossible_date(y, a, b):
        readings.append((dt.date(y, a, b), "month/day"))
    if not impossible_date(y, b, a) and (b, a) != (a, b):
        readings.append((dt.date(y, b, a), "day/month"))
    problem = f"`{key}: {raw}` is not written as YYYY-MM-DD"
    if not readings:
        # Say why with the reading whose month exists (31/02: February has no 31st).
        month, day = (a, b) if 1 <= a <= 12 else (b, a)
        return (f"`{key}: {raw}` is not a date: {impossible_date(y, month, day)}",
                f"write a day that exists, as YYYY-MM-DD, e.g. "
                f"`{key}: {_nearest(y, month, day)}`")
    if len(readings) == 1:
        return problem, f"write `{key}: {readings[0][0].isoformat()}`"
    options = " or ".join(f"`{key}: {d.isoformat()}` ({d.day} {calendar.month_name[d.month]}, "
                          f"if you wrote {order})" for d, order in readings)
    return problem + " and can be read two ways", f"write {options}"


def yaml_hint(problem: str, lines: Sequence[str], index: int, first_line: int,
              opened: int | None) -> str:
    """A hint for a YAML syntax error at ``lines[index]`` (0-based within the front matter).

    ``first_line`` is the file line of ``lines[0]``; ``opened`` the front-matter index where
    the construct that failed began (a quote, a list), when YAML says so.
    """
    line = lines[index] if 0 <= index < len(lines) else ""
    tabs = [i for i, text in enumerate(lines) if "\t" in text]
    if "\t" in line or ("cannot start any token" in problem and tabs):
        where = index if "\t" in line else tabs[0]
        col = lines[where].index("\t") + 1
        return (f"line {where + first_line} has a tab (column {col}): YAML does not allow "
                "tabs in indentation; use spaces")
    if "mapping values are not allowed" in problem:
        key, _, value = line.partition(":")
        value = value.strip().replace('"', '\\"')
        if key.strip() and value:
            return (f"the value contains `: `; put it in quotes: "
                    f"`{key.strip()}: \"{value}\"`")
    if ("quoted scalar" in problem or "end of stream" in problem) and (
            opened is not None and 0 <= opened < len(lines)):
            return (f"the quote opened on line {opened + first_line} is never closed: end "
                    "the value with the same quote mark on that line")
    if "cannot start any token" in problem:
        stripped = line.partition(":")[2].strip()
        if stripped[:1] in ("@", "`", "%"):
            return f"a value starting with `{stripped[0]}` must be quoted: `\"{stripped}\"`"
    if "expected ',' or ']'" in problem or "flow sequence" in problem:
        return "close the list with `]` on the same line, items separated by commas"
    return "quote values that contain `: `, ` #`, `[` or start with a quote"


def list_hint(key: str, raw: str, choices: Sequence[str]) -> str:
    """``audience: publishers`` -> ``write `audience: [publisher]```: the writer's items as a
    list."""
    items = [part.strip() for part in re.split(r"[,;]|\s+and\s+|\s+", raw) if part.strip()]
    if choices:
        items = [closest_choice(item, choices) or item for item in items]
    if not items:
        return f"write `{key}: [...]`"
    return f"write `{key}: [{', '.join(items)}]`"


def closest_choice(value: str, choices: Sequence[str]) -> str | None:
    """The allowed value the writer most likely meant (case, plural, a typo), or None."""
    low = value.strip().lower()
    for candidate in (low, low.rstrip("s"), low[:-2] if low.endswith("es") else low):
        if candidate in choices:
            return candidate
    match = difflib.get_close_matches(low, list(choices), n=1, cutoff=0.7)
    return match[0] if match else None
