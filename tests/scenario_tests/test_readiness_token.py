"""/readyz rechecks the bot token (issue 11, defect 12): auth.test again at most once a minute,
its answer kept in between; a revoked token turns /readyz 503, and 200 again once Slack accepts
it. The clock is the Health's own (`health.clock`), moved by the test: no minute is waited."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from bot.runtime.health import READY_PATH


def readyz(s) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(s.server.url + READY_PATH, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def clock(s):
    health = s.app.health
    now = [getattr(health, "token_checked_at", time.monotonic())]  # the last check, its clock
    health.clock = lambda: now[0]
    yield now
    health.clock = time.monotonic


def test_a_revoked_token_turns_readyz_503_within_a_minute(s, clock) -> None:
    assert readyz(s)[0] == 200
    assert s.fake.calls_to("auth.test") == []  # the start-up auth.test still stands

    clock[0] += 61
    assert readyz(s)[0] == 200
    assert readyz(s)[0] == 200
    assert len(s.fake.calls_to("auth.test")) == 1  # one call, its answer kept

    s.fake.fail_next("auth.test", error="token_revoked")
    clock[0] += 61
    status, body = readyz(s)
    assert status == 503 and body["failed"] == ["slack"]
    assert "token_revoked" in body["checks"]["slack"]["error"]
    assert readyz(s)[0] == 503  # kept until the next check
    assert len(s.fake.calls_to("auth.test")) == 2

    clock[0] += 61  # Slack accepts the token again
    assert readyz(s)[0] == 200
    assert len(s.fake.calls_to("auth.test")) == 3


def test_slack_unreachable_or_rate_limiting_keeps_the_last_answer(s, clock) -> None:
    s.fake.fail_next("auth.test", status=429, retry_after=30)
    clock[0] += 61
    status, body = readyz(s)
    assert status == 200 and body["checks"]["slack"]["unverified"] == "ratelimited"
    s.fake.fail_next("auth.test", status=503)
    clock[0] += 61
    assert readyz(s)[0] == 200
    clock[0] += 61
    status, body = readyz(s)
    assert status == 200 and "unverified" not in body["checks"]["slack"]
