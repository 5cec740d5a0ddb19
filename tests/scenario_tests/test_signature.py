"""Requests Slack did not sign, or signed too long ago, are refused with no side effect."""

from __future__ import annotations

import time

import pytest
from waiting import settle

from bot.slack import ids


@pytest.mark.parametrize(
    "sign",
    [
        {"secret": "not-the-signing-secret"},
        {"timestamp": int(time.time()) - 6 * 60},  # older than 5 minutes
        {"signed": False},
    ],
    ids=["forged", "stale", "unsigned"],
)
def test_bad_signatures_get_401_and_do_nothing(s, sign) -> None:
    before = s.log.count()
    assert s.driver.send_slash("need NLB", **sign).status == 401
    assert s.driver.send_shortcut(ids.PLAN_SHORTCUT, **sign).status == 401
    settle(s)  # a wrongly started listener would have run by now
    assert s.fake.calls == []
    assert s.log.count() == before


def test_health_check(s) -> None:
    import urllib.request

    from bot.runtime.health import HEALTH_PATH

    with urllib.request.urlopen(s.server.url + HEALTH_PATH, timeout=5) as response:
        assert response.status == 200
