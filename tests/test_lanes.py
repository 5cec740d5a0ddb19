"""Lanes (bot/slack/ackfirst.py): Slack calls off the shared workers, one lane per channel; a
delayed job (a 429's Retry-After) waits on a timer, holding no thread."""

from __future__ import annotations

import threading
import time

from waiting import eventually

from bot.slack.ackfirst import Lanes


def test_a_blocked_lane_holds_one_thread_and_the_others_flow():
    lanes = Lanes(threads=2)
    release, ran, other = threading.Event(), [], threading.Event()
    lanes.run("C-slow", lambda: release.wait(5))
    lanes.run("C-slow", lambda: ran.append("slow, second"))  # in order, behind the first
    lanes.run("C-other", lambda: (ran.append("other"), other.set()))
    assert other.wait(1)
    assert ran == ["other"] and lanes.in_flight == 2
    release.set()
    assert lanes.wait_idle(5)
    assert ran == ["other", "slow, second"]


def test_a_delayed_job_waits_on_the_timer_without_a_thread():
    lanes = Lanes(threads=1)
    start, ran = time.monotonic(), []
    lanes.run("C-limited", lambda: ran.append(time.monotonic() - start), delay=0.3)
    now = threading.Event()
    lanes.run("C-other", now.set)
    assert now.wait(1), "the only thread was held by the waiting job"
    assert [lane for lane, _ in lanes.waiting] == ["C-limited"]
    (waited,) = eventually(lambda: ran, timeout=2)
    assert waited >= 0.3
    assert lanes.wait_idle(1)


def test_closing_drops_the_waiting_jobs_and_refuses_new_ones():
    lanes = Lanes(threads=1)
    dropped: list[str] = []
    lanes.run("C1", lambda: dropped.append("ran!"), delay=30, dropped=lambda: dropped.append("a"))
    assert lanes.in_flight == 1
    assert lanes.close() == 1
    assert dropped == ["a"] and lanes.in_flight == 0
    assert not lanes.run("C1", lambda: dropped.append("ran!"), dropped=lambda: dropped.append("b"))
    assert dropped == ["a", "b"]
    assert lanes.wait_idle(1)


def test_a_job_for_a_shut_down_executor_is_refused_not_raised() -> None:
    """At interpreter exit the pool is shut down under the lanes: a card already posted must not
    be counted as failed because its names could not be looked up (bot/slack/calls.py)."""
    from types import SimpleNamespace

    from bot.slack.calls import on_lane

    def lane(key, job, delay=0.0):
        raise RuntimeError("cannot schedule new futures after shutdown")

    advisor = SimpleNamespace(executor=SimpleNamespace(lane=lane))
    assert on_lane(advisor, "names", lambda: None) is False
