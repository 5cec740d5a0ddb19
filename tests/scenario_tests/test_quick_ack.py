"""A /netplugin question is kept and answered by the server itself (bot/runtime/quickack.py),
before Bolt's dispatch runs: its 200 does not wait for Bolt's middleware, its listener or a
worker thread (issue 16). Everything else is still acknowledged by Bolt."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlencode

import pytest
from slackstack import start_stack
from waiting import settle

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
