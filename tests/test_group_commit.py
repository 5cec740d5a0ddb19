"""DecisionLog.accept: concurrent requests share commits, and every caller learns its answer;
inbox.keep_now: kept on the caller's thread when the log is free, by the writer when not."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from bot.decisions import DecisionLog
from bot.decisions.database import LogUnavailable


def test_concurrent_accepts_are_all_kept_once(tmp_path):
    log = DecisionLog(tmp_path / "g.db")
    results: dict[str, bool] = {}
    barrier = threading.Barrier(16)

    def accept(i: int) -> None:
        barrier.wait()
        key = f"T{i % 12}"  # four keys arrive twice: a retry
        first = log.inbox.accept(key, "slash", {"text": str(i)})
        results[f"{i}"] = first

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results.values()) == 12  # each key kept once; its retry answered False
    assert len(log.inbox.pending("2000-01-01")) == 12
    log.close()


def test_a_failed_commit_reaches_every_waiter(tmp_path):
    log = DecisionLog(tmp_path / "g.db")
    log.db.execute("DROP TABLE requests")  # every insert now fails
    with pytest.raises(LogUnavailable, match="no such table"):
        log.inbox.accept("T1", "slash", {})
    log.close()


def _kept_now(log, *keys: str, timeout: float = 2.0) -> list:
    """inbox.keep_now for each of `keys`, failing (not hanging) if it ever waits for the log."""

    def keep_each() -> list:
        return [log.inbox.keep_now(key, "slash", {"text": key}) for key in keys]

    with ThreadPoolExecutor(1) as pool:
        called = pool.submit(keep_each)
        try:
            return called.result(timeout=timeout)
        except FutureTimeout:
            pytest.fail(f"keep_now waited {timeout} s for a busy log")


def test_keep_now_commits_on_the_calling_thread_when_the_log_is_free(tmp_path):
    """The server's event loop keeps a question itself: no writer thread, no hand-off."""
    log = DecisionLog(tmp_path / "g.db")
    before = set(threading.enumerate())
    futures = _kept_now(log, "T1", "T2", "T1")
    assert [future.done() for future in futures] == [True, True, True]
    assert [future.result() for future in futures] == [True, True, False]  # T1 again: a retry
    started = set(threading.enumerate()) - before
    assert not [t for t in started if t.name == "netplugin-inbox"]
    assert [key for key, _, _ in log.inbox.pending("2000-01-01")] == ["T1", "T2"]
    log.close()


def test_keep_now_leaves_a_log_held_by_another_thread_to_the_writer(tmp_path):
    log = DecisionLog(tmp_path / "g.db")
    with log.inbox.file.lock:  # a listener thread in the middle of its own write
        (kept,) = _kept_now(log, "T1")
        assert not kept.done()
    assert kept.result(timeout=5) is True  # the writer kept it once the log was free
    assert [key for key, _, _ in log.inbox.pending("2000-01-01")] == ["T1"]
    log.close()


def test_keep_now_leaves_another_process_write_lock_to_the_writer(tmp_path):
    """Another process (an operator's `decisions adopt`) holds SQLite's write lock: the caller
    loses SQLite's 1 ms busy wait, not the writer's deadline."""
    log = DecisionLog(tmp_path / "g.db")
    other = sqlite3.connect(tmp_path / "g.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    (kept,) = _kept_now(log, "T1")
    assert not kept.done()
    other.execute("COMMIT")
    assert kept.result(timeout=5) is True
    other.close()
    log.close()


def test_keep_now_reports_a_log_that_refuses_the_write(tmp_path):
    log = DecisionLog(tmp_path / "g.db")
    log.db.execute("DROP TABLE requests")
    (kept,) = _kept_now(log, "T1")
    with pytest.raises(LogUnavailable, match="no such table"):
        kept.result(timeout=5)
    log.close()
