"""Calendar arithmetic the checks, `kb new` and `kb stale` share."""

from __future__ import annotations

import calendar
import datetime as dt


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
