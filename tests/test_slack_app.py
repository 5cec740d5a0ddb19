"""The app factory's pieces: ids for the manifest, acks first, cached authorize."""

from __future__ import annotations

import threading
import time

from waiting import eventually

from bot.slack import ids
from bot.slack.ackfirst import AckFirst, AckFirstExecutor
from bot.slack.payload import visibility


def test_scopes_cover_every_method_and_event() -> None:
    assert set(ids.BOT_SCOPES) == {
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:write",
        # thread replies under cards: public channels, private channels, DMs
        "channels:history",
        "groups:history",
        "im:history",
        # adopting: channel members; ADRs and the Home tab: people's and channels' names
        "channels:read",
        "groups:read",
        "im:read",
        "users:read",
    }
    assert ids.EVENTS == (
        "app_mention",
        "app_home_opened",
        "message.channels",
        "message.groups",
        "message.im",
    )
    assert ids.question_key(ids.question_block_id("pod-cidr")) == "pod-cidr"


def test_visibility_from_the_payload() -> None:
    assert visibility("C1", "general") == "public"
    assert visibility("C1", "privategroup") == "private"
    assert visibility("D1", "directmessage") == "dm"
    assert visibility("G1", "mpdm-a--b-1") == "private"
    assert visibility(None) == "unknown"


class CountedWaits(threading.Condition):
    """The gate's condition, counting the times a job has gone to wait on it."""

    waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1  # the lock is held here
        return super().wait(timeout)


def test_lazy_work_waits_while_requests_are_dispatched() -> None:
    gate = AckFirst(quiet=0.02, max_wait=5)
    gate._quiet = condition = CountedWaits()
    executor = AckFirstExecutor(gate, 1)
    ran = threading.Event()
    with gate:
        future = executor.submit(ran.set)
        eventually(lambda: condition.waits >= 1, message="the job never reached the gate")
        with condition:  # wake it, as the end of another dispatch would
            condition.notify_all()
        eventually(lambda: condition.waits >= 2 or ran.is_set())
        assert not ran.is_set()  # it looked again and is still held: a request is in dispatch
        left = time.monotonic()
    future.result(timeout=2)
    assert ran.is_set() and time.monotonic() - left >= 0.015  # and for the quiet period
    executor.shutdown()


def test_lazy_work_never_starves() -> None:
    gate = AckFirst(quiet=0.01, max_wait=0.1)
    executor = AckFirstExecutor(gate, 1)
    with gate:
        start = time.monotonic()
        executor.submit(lambda: None).result(timeout=2)
        assert 0.09 <= time.monotonic() - start < 1
    executor.shutdown()


def test_a_held_job_wakes_no_worker_until_released() -> None:
    """The server holds a question's dispatch while acks are being made (bot/runtime/quickack.py):
    no worker is started or woken for it, and it counts as in flight, so nothing settles or
    drains without it."""
    executor = AckFirstExecutor(AckFirst(quiet=0.0), 2)
    ran = threading.Event()
    executor.hold(ran.set)
    assert executor.in_flight == 1
    assert executor._threads == set()  # concurrent.futures' own record of its workers
    executor.release()
    assert ran.wait(2)
    eventually(lambda: executor.in_flight == 0)
    executor.shutdown()


def test_a_drain_starts_the_held_jobs_first() -> None:
    """SIGTERM in the middle of a burst: the questions already answered are dispatched before
    the process exits, not left for the next start."""
    executor = AckFirstExecutor(AckFirst(quiet=0.0), 1)
    ran: list[str] = []
    executor.hold(lambda: ran.append("held"))
    assert executor.drain(5)
    assert ran == ["held"]


def test_a_held_job_released_after_a_shutdown_is_dropped_not_raised() -> None:
    executor = AckFirstExecutor(AckFirst(quiet=0.0), 1)
    ran: list[str] = []
    executor.hold(lambda: ran.append("ran!"), dropped=lambda: ran.append("dropped"))
    executor.shutdown()
    executor.release()
    assert ran == ["dropped"] and executor.in_flight == 0
