"""The tests' own waiting (tests/waiting.py): eventually() and settle()."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from waiting import eventually, settle

from bot.slack.ackfirst import AckFirst, AckFirstExecutor


def test_eventually_returns_the_first_truthy_value() -> None:
    values = iter([None, 0, [], "found"])
    assert eventually(lambda: next(values), timeout=1, interval=0) == "found"


def test_eventually_retries_a_check_that_asserts() -> None:
    calls = []

    def check() -> bool:
        calls.append(1)
        assert len(calls) >= 3, "not yet"
        return True

    assert eventually(check, timeout=1, interval=0) is True


def test_eventually_fails_with_the_message_and_the_last_value() -> None:
    with pytest.raises(AssertionError, match=r"never fell \(within 0.05 s; last value: 0\)"):
        eventually(lambda: 0, timeout=0.05, message="the sky never fell")
    with pytest.raises(AssertionError, match="last: still 3"):
        eventually(_fails, timeout=0.05)


def _fails() -> None:
    raise AssertionError("still 3")


def test_settle_waits_for_the_job_in_flight() -> None:
    gate = AckFirst()
    app = SimpleNamespace(gate=gate, executor=AckFirstExecutor(gate, 1))
    release, done = threading.Event(), threading.Event()

    def job() -> None:
        release.wait(5)
        done.set()

    app.executor.submit(job)
    threading.Timer(0.05, release.set).start()
    settle(app)
    assert done.is_set()
    app.executor.shutdown()


def test_settle_waits_for_a_request_in_dispatch_and_says_what_is_under_way() -> None:
    gate = AckFirst()
    app = SimpleNamespace(gate=gate, executor=AckFirstExecutor(gate, 1))
    with gate, pytest.raises(AssertionError, match=r"'dispatching': 1"):
        settle(app, timeout=0.05)
    settle(app)
    app.executor.shutdown()
