"""A /netplugin question is kept and answered by the server itself (bot/runtime/quickack.py),
before Bolt's dispatch runs: its 200 does not wait for Bolt's middleware, its listener or a
worker thread (issue 16). Everything else is still acknowledged by Bolt."""

from __future__ import annotations

import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlencode

import pytest
from slackstack import start_stack
from waiting import LOOP_TIMER_SLACK, eventually, settle

SINCE = "2000-01-01"


@pytest.fixture
def held():
    """A fresh stack whose Bolt dispatch waits, in a middleware, until `release` is set."""
    stack = start_stack()
    release = threading.Event()

    @stack.app.middleware
    def hold(next):
        release.wait(10)
        next()

    stack.release = release
    yield stack
    release.set()
    settle(stack)
    stack.stop()


def answer_within(send, seconds: float = 5.0):
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(send)
        try:
            return sent.result(timeout=seconds)
        except FutureTimeout:
            pytest.fail(f"no answer within {seconds} s while Bolt's dispatch was held")


def test_a_question_is_kept_and_answered_while_bolt_is_held(held) -> None:
    answer = answer_within(lambda: held.driver.send_slash("400 ENS nodes, need NLB, no BGP"))
    assert (answer.status, answer.body) == (200, b"")
    # Kept before the 200: a crash now would leave it for the next start to answer.
    (kept,) = held.log.inbox.pending(SINCE)
    assert kept[1] == "slash" and kept[2]["text"] == "400 ENS nodes, need NLB, no BGP"
    assert "token" not in kept[2]

    held.release.set()
    held.fake.wait_for("chat.postMessage")
    settle(held)
    assert len(held.fake.calls_to("chat.postMessage")) == 1  # answered once, not twice
    assert held.log.inbox.pending(SINCE) == []
    assert len(held.log.query()) == 1


def test_a_subcommand_is_still_acknowledged_by_bolt(s, monkeypatch) -> None:
    """`history` records nothing, so there is nothing to keep first: Bolt's dispatch acks it,
    while a question goes to Bolt only after the server has answered it."""
    taken: list[tuple[str, str]] = []
    for name in ("dispatch", "dispatch_answered"):
        original = getattr(s.app, name)

        def recording(req, name=name, original=original):
            taken.append((name, req.body.get("text")))
            return original(req)

        monkeypatch.setattr(s.app, name, recording)
    assert s.driver.send_slash("history").status == 200
    assert s.driver.send_slash("400 ENS nodes, need NLB").status == 200
    settle(s)
    assert taken == [("dispatch", "history"), ("dispatch_answered", "400 ENS nodes, need NLB")]


def test_an_ssl_check_is_left_to_bolt_and_answers_nothing(s) -> None:
    """Slack's SSL check of the command's URL: Bolt acks it and runs no listener; the quick
    path must not take it for a question."""
    fields = s.driver.slash_body("400 ENS nodes") | {"ssl_check": "1"}
    assert s.driver.post(urlencode(fields), "application/x-www-form-urlencoded").status == 200
    settle(s)
    assert s.log.inbox.pending(SINCE) == []
    assert s.fake.calls == []


def test_a_burst_of_questions_is_kept_by_the_loop_itself(tmp_path) -> None:
    """The event loop commits each question (RequestInbox.keep_now): no writer thread, no
    hand-off between threads on the ack's path."""
    stack = start_stack(str(tmp_path / "burst.db"))
    before = set(threading.enumerate())
    texts = [f"{n}00 ENS nodes, need NLB" for n in range(1, 9)]
    try:
        with ThreadPoolExecutor(len(texts)) as pool:
            answers = list(pool.map(stack.driver.send_slash, texts))
        assert [answer.status for answer in answers] == [200] * len(texts)
        started = set(threading.enumerate()) - before
        assert not [t.name for t in started if t.name == "netplugin-inbox"]
        settle(stack)
        assert len(stack.log.query()) == len(texts)
        assert len(stack.fake.calls_to("chat.postMessage")) == len(texts)
    finally:
        stack.stop()


def test_a_busy_log_leaves_the_loop_free_and_the_question_kept(s) -> None:
    """Another thread of ours holds the log: the question waits for the inbox's writer, and the
    server's loop goes on answering meanwhile."""
    decided = len(s.log.query())
    with ThreadPoolExecutor(1) as pool:
        with s.log.inbox.file.lock:
            sent = pool.submit(s.driver.send_slash, "400 ENS nodes, need NLB")
            eventually(lambda: s.app.gate.busy == 1, message="the ack never began")
            with urllib.request.urlopen(s.server.url + "/healthz", timeout=2) as health:
                assert health.status == 200  # the loop was not waiting for the log
            assert not sent.done()
        assert sent.result(timeout=5).status == 200
    s.fake.wait_for("chat.postMessage")
    settle(s)
    assert len(s.log.query()) == decided + 1


def test_the_dispatch_waits_while_acks_are_being_made_but_never_starves(s, monkeypatch) -> None:
    """The answered question's dispatch is held while another ack is in progress (the gate is
    busy), and starts at the gate's max_wait at the latest."""
    started: list[float] = []
    original = s.app.dispatch_answered

    def recording(req):
        started.append(time.monotonic())
        return original(req)

    monkeypatch.setattr(s.app, "dispatch_answered", recording)
    with s.app.gate:  # an ack being made, for as long as this block lasts
        sent_at = time.monotonic()
        assert s.driver.send_slash("400 ENS nodes, need NLB").status == 200
        (began,) = eventually(lambda: started, message="the held dispatch never started")
    assert began - sent_at >= s.app.gate.max_wait - LOOP_TIMER_SLACK
    s.fake.wait_for("chat.postMessage")
    settle(s)
