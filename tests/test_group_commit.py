"""DecisionLog.accept: concurrent requests share commits, and every caller learns its answer."""

from __future__ import annotations

import threading

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
