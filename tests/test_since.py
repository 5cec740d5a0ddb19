"""`--since` forms (bot/core/since.py), against a fixed now: no clock is read, nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.since import parse_since

NOW = datetime(2026, 11, 26, 13, 45, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01 09:30", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01T09:30:15.250", datetime(2026, 11, 1, 9, 30, 15, 250000, tzinfo=UTC)),
        ("2026-11-01T09:30Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01t09:30z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01T09:30+02:00", datetime(2026, 11, 1, 7, 30, tzinfo=UTC)),
        ("2026-11-01T00:30+02:00", datetime(2026, 10, 31, 22, 30, tzinfo=UTC)),
        ("2026-11-01T09:30-05:30", datetime(2026, 11, 1, 15, 0, tzinfo=UTC)),
        ("2028-02-29", datetime(2028, 2, 29, tzinfo=UTC)),
        ("7d", NOW - timedelta(days=7)),
        ("12h", NOW - timedelta(hours=12)),
        ("2w", NOW - timedelta(weeks=2)),
        ("1D", NOW - timedelta(days=1)),
        (" 7d ", NOW - timedelta(days=7)),
        ("today", datetime(2026, 11, 26, tzinfo=UTC)),
        ("TODAY", datetime(2026, 11, 26, tzinfo=UTC)),
        ("yesterday", datetime(2026, 11, 25, tzinfo=UTC)),
    ],
)
def test_accepted_forms(text, moment):
    found = parse_since(text, NOW)
    assert found == moment
    assert found.utcoffset() == timedelta(0)  # always UTC, to compare with the log's created_at


@pytest.mark.parametrize(
    "text",
    [
        "", "  ", "yesterdayy", "tomorrow", "last week", "now",
        "2026-13-45", "2026-02-29", "2026-11-31", "2026-11-01T24:00", "2026-11-01T09:60",
        "2026-11-01T09:30+25:00", "2026-11-01+02:00", "2026-11", "26-11-01", "2026/11/01",
        "20261101", "2026-W44-1", "2026-11-01T09", "2026-11-01T0930",
        "7", "d", "0d", "-7d", "+7d", "1.5d", "7 d", "7days", "7m", "7y", "1234567d",
        "999999w", "0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00", "٧d", "1٧d", "²d",
        "٢٠٢٦-١١-٠١",
    ],
)  # fmt: skip
def test_anything_else_is_none(text):
    assert parse_since(text, NOW) is None


def test_today_and_yesterday_are_utc_days_whatever_the_zone_of_now():
    evening_in_utc = datetime(2026, 11, 26, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert parse_since("today", evening_in_utc) == datetime(2026, 11, 25, tzinfo=UTC)
    assert parse_since("yesterday", evening_in_utc) == datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_since("12h", evening_in_utc) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
