"""The decision log down (issue 11, defect 7): a question or a submitted questionnaire gets the
bot's sentence within Slack's 3 s, every time, and nothing is recorded; /readyz is 503 while it
lasts; the next question after the log comes back gets its card.

The faults, on a real file database: read-only (SQLite refuses every write: what a read-only
file or volume gives), a full disk (the file may not grow: `max_page_count`, then rows the size
of a request until nothing more fits), another process holding the write lock (BEGIN IMMEDIATE
on its own connection), and our own connection held by another thread (a lazy write stuck
behind that lock)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slackstack import start_stack
from waiting import settle

from bot.decisions import DecisionLog
from bot.runtime import health as health_module
from bot.runtime.health import READY_PATH

SLACK_DEADLINE = 3.0
SENTENCE = "The decision log is unavailable, so nothing was recorded"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = start_stack(str(tmp_path_factory.mktemp("log-down") / "decisions.db"))
    yield running
    running.stop()


@pytest.fixture
def s(stack, monkeypatch):
    settle(stack.app, stack.server)
    stack.fake.reset()
    monkeypatch.setattr(health_module, "READY_DB_TIMEOUT", 0.2)  # the probe's own wait
    return stack


def ready_status(s) -> int:
    try:
        with urllib.request.urlopen(s.server.url + READY_PATH, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- the faults -----------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(log: DecisionLog):
    with log.file.lock:
        log.db.execute("PRAGMA query_only=ON")
    try:
        yield
    finally:
        with log.file.lock:
            log.db.execute("PRAGMA query_only=OFF")


@contextlib.contextmanager
def full_disk(log: DecisionLog):
    """The file may not grow, and its last pages are full of rows like a request's (a little
    smaller, so that no real request fits where they stopped fitting)."""
    filler = json.dumps({"text": "x" * 200})
    with log.file.lock:
        (pages,) = log.db.execute("PRAGMA page_count").fetchone()
        (limit,) = log.db.execute("PRAGMA max_page_count").fetchone()
        log.db.execute(f"PRAGMA max_page_count={pages}")
        with contextlib.suppress(sqlite3.OperationalError):
            for n in range(100_000):
                log.db.execute(
                    "INSERT INTO requests (key, kind, received_at, payload) VALUES (?, ?, ?, ?)",
                    [f"T0FULL{n:06d}", "filler", "2000-01-01T00:00:00.000+00:00", filler],
                )
    try:
        yield
    finally:
        with log.file.lock:
            log.db.execute(f"PRAGMA max_page_count={limit}")
            log.db.execute("DELETE FROM requests WHERE kind = 'filler'")


@contextlib.contextmanager
def locked_by_another_process(log: DecisionLog):
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.contextmanager
def held_by_another_thread(log: DecisionLog):
    """A lazy job's write waiting behind another process's lock holds our connection."""
    with locked_by_another_process(log), log.file.lock:
        yield


FAULTS = {
    "read-only": (read_only, True),
    "full disk": (full_disk, False),  # max_page_count leaves the probe's one-row update room
    "locked by another process": (locked_by_another_process, True),
    "held by another thread": (held_by_another_thread, False),  # the probe waits its turn
}


# --- the tests ------------------------------------------------------------------------------


def open_modal(s):
    s.driver.send_slash("", channel="C0GENERAL")
    call = s.fake.wait_for("views.open")
    return s.fake.workspace.views[call.response["view"]["id"]].view


@pytest.mark.parametrize("name", list(FAULTS))
def test_while_the_log_is_down_every_question_gets_the_sentence_within_3_s(s, name) -> None:
    fault, probe_fails = FAULTS[name]
    tag = list(FAULTS).index(name)
    view = open_modal(s)
    questions = [f"location=ens nodes={100 + i}" for i in range(4)]
    triggers = [f"T0DOWN{tag}x{i}" for i in range(len(questions))]
    with fault(s.log), ThreadPoolExecutor(len(questions) + 1) as pool:
        asked = [
            pool.submit(s.driver.send_slash, text, trigger_id=trigger)
            for text, trigger in zip(questions, triggers, strict=True)
        ]
        submitted = pool.submit(s.driver.submit, view, {"q:nodes": "42"})
        answers = [a.result() for a in asked]
        modal = submitted.result()
        if probe_fails:
            assert ready_status(s) == 503

    for answer in answers:
        assert answer.status == 200, answer.body
        assert answer.elapsed < SLACK_DEADLINE, f"answered after {answer.elapsed:.2f} s"
        body = answer.json()
        assert body["response_type"] == "ephemeral"
        assert SENTENCE in body["text"]
    assert modal.status == 200 and modal.elapsed < SLACK_DEADLINE
    errors = modal.json()["errors"]
    assert modal.json()["response_action"] == "errors"  # the modal stays open, answers kept
    assert [SENTENCE in e for e in errors.values()] == [True]

    settle(s.app, s.server)
    assert not s.fake.calls_to("chat.postMessage")  # nothing was recorded, nothing follows
    for trigger in triggers:
        assert not list(s.log.db["requests"].rows_where("key = ?", [trigger]))

    # The log is back: the next question is kept, decided and posted, and /readyz is 200.
    s.driver.send_slash("location=ens nodes=500", trigger_id=f"T0BACK{tag}")
    card = s.fake.wait_for("chat.postMessage")
    assert "Terway Edge" in card.params["text"]
    assert ready_status(s) == 200
