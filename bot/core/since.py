"""When "since …" starts: an ISO date or datetime, or a time relative to now.

    parse_since("2026-11-01", now)             → 2026-11-01 00:00 UTC
    parse_since("2026-11-01T09:30+02:00", now) → 2026-11-01 07:30 UTC
    parse_since("7d", now)                     → now - 7 days (h: hours, w: weeks)
    parse_since("yesterday", now)              → the start of yesterday, UTC (today: of today)

Anything else is None, for the caller to refuse naming the accepted forms.
`now` is given, never read here, so that relative forms are tested against a fixed clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

# Extended ISO 8601 only: fromisoformat would also take 20261101 and 2026-W44-1. ASCII digits
# only (\d is any script's digits).
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?",
    re.IGNORECASE | re.ASCII,
)
_RELATIVE = re.compile(r"([1-9]\d{0,5})([hdw])", re.IGNORECASE | re.ASCII)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime | None:
    """The moment `text` names, timezone-aware in UTC (no offset given: UTC), or None when it is
    not one of the accepted forms or not a real date (2026-13-45). `now` must be aware."""
    given = text.strip()
    lowered = given.lower()
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    relative = _RELATIVE.fullmatch(given)
    if relative:
        amount, unit = relative.groups()
        try:
            return (now - timedelta(**{_UNITS[unit.lower()]: int(amount)})).astimezone(UTC)
        except OverflowError:  # before the year 1
            return None
    if not _ISO.fullmatch(given):
        return None
    try:
        moment = datetime.fromisoformat(given.upper())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    # ValueError: a month 13, a day 45, an hour 25, an offset of 25 hours; OverflowError:
    # 0001-01-01T00:00+01:00 is before the year 1 in UTC.
    except (ValueError, OverflowError):
        return None
