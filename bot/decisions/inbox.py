"""The request inbox: a request kept before its ack (one small insert, a group commit shared by
concurrent acks), so that nothing acknowledged is lost when the process dies before the
decision is logged; a restart finishes what is still pending.

The ack waits for this, and Slack waits for the ack (3 s), so keeping a request has a deadline:
when the log cannot take the write in time (another process holds its write lock, a read-only
file, a full disk), `accept` raises LogUnavailable and the caller tells the user that nothing
was recorded.

    first = inbox.accept(key, "slash", payload)       # blocks; False for a retry of the key
    future = inbox.submit(key, "slash", payload)      # the same, as a Future
    future = inbox.keep_now(key, "slash", payload)    # kept on this thread if the log is free
                                                      # (the Future done), else by the writer
"""

from __future__ import annotations

import json
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from bot.decisions.database import LogFile, LogUnavailable, now

# How long an ack may wait for its request to be kept: well inside Slack's 3 s, with the
# request's way there and back and the rest of the ack around it.
ACCEPT_TIMEOUT = 1.0
# The writer thread ends after this long with nothing to write (the next request starts one):
# an idle log, or one of a test's many, holds no thread.
WRITER_IDLE_SECONDS = 2.0


class _Accepted:
    """One request waiting for the writer's next commit."""

    __slots__ = ("deadline", "future", "row")

    def __init__(self, row: tuple[str, str, str, str], deadline: float):
        self.row = row
        self.deadline = deadline
        self.future: Future[bool] = Future()  # True: kept now; False: kept before (a retry)


def _entry(key: str, kind: str, payload: dict[str, Any], timeout: float) -> _Accepted:
    row = (key, kind, now(), json.dumps(payload, sort_keys=True))
    return _Accepted(row, time.monotonic() + timeout)


class RequestInbox:
    """Group commit on one writer thread: whatever has arrived while it committed the last
    batch goes into the next transaction, so a burst of acks shares a few commits instead of
    queueing for one each, and a caller (a request thread, or an event loop that must not
    block) only waits for its Future."""

    def __init__(self, file: LogFile):
        self.file = file
        self._queue: queue.SimpleQueue[_Accepted] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    @property
    def db(self):
        return self.file.db

    def accept(
        self, key: str, kind: str, payload: dict[str, Any], *, timeout: float = ACCEPT_TIMEOUT
    ) -> bool:
        """Keep a request before acknowledging it: if the process dies before the decision is
        logged, the next start finishes it (`pending`). False when the key was accepted before
        (a retry). Never pass secrets in `payload`. Raises LogUnavailable when the request could
        not be kept within `timeout` seconds, or the log refused it: then nothing was kept."""
        future = self.submit(key, kind, payload, timeout=timeout)
        try:
            return future.result(timeout + 0.5)
        except FutureTimeout:
            # The writer is stuck past the deadline it was given. Not yet taken: withdrawn, so
            # certainly not kept. Taken: its transaction ends soon either way; wait for it.
            if future.cancel():
                raise LogUnavailable("the decision log did not take the request in time") from None
            return future.result()

    def submit(
        self, key: str, kind: str, payload: dict[str, Any], *, timeout: float = ACCEPT_TIMEOUT
    ) -> Future[bool]:
        """`accept` without waiting: a Future of its answer (or of its LogUnavailable). A
        Future cancelled before the writer takes it is never written."""
        entry = _entry(key, kind, payload, timeout)
        self._to_writer(entry)
        return entry.future

    def keep_now(
        self, key: str, kind: str, payload: dict[str, Any], *, timeout: float = ACCEPT_TIMEOUT
    ) -> Future[bool]:
        """`submit`, but committed on the calling thread if the log is free this instant: the
        Future is then done. If it is not (one of our threads holds the connection, or another
        process the write lock after SQLite's 1 ms busy wait) or the write fails, nothing is
        kept here and the writer takes the request, as `submit`'s. For the server's event loop
        (bot/runtime/quickack.py): a question is kept without a thread hand-off each way, and a
        busy log costs the loop a millisecond at most, not the writer's wait."""
        entry = _entry(key, kind, payload, timeout)
        try:
            (first,) = self._insert([entry], timeout=0)
        except LogUnavailable:
            self._to_writer(entry)
        else:
            entry.future.set_result(first)
        return entry.future

    def _to_writer(self, entry: _Accepted) -> None:
        self._queue.put(entry)
        with self._writer_lock:
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write, name="netplugin-inbox", daemon=True
                )
                self._writer.start()

    def _write(self) -> None:
        """The writer: commits what has gathered, batch after batch, until idle."""
        while True:
            try:
                batch = [self._queue.get(timeout=WRITER_IDLE_SECONDS)]
            except queue.Empty:
                with self._writer_lock:
                    if self._queue.empty():  # nothing came meanwhile: `submit` starts another
                        self._writer = None
                        return
                continue
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit([item for item in batch if item.future.set_running_or_notify_cancel()])

    def _commit(self, batch: list[_Accepted]) -> None:
        started = time.monotonic()
        for item in batch:
            if item.deadline <= started:  # waited its whole time in the queue
                item.future.set_exception(
                    LogUnavailable("the decision log did not take the request in time")
                )
        batch = [item for item in batch if item.deadline > started]
        if not batch:
            return
        try:
            firsts = self._insert(batch, min(item.deadline for item in batch) - time.monotonic())
        except LogUnavailable as error:  # every waiter learns that its request was not kept
            for item in batch:
                item.future.set_exception(error)
            return
        for item, first in zip(batch, firsts, strict=True):
            item.future.set_result(first)

    def _insert(self, batch: list[_Accepted], timeout: float) -> list[bool]:
        """Insert `batch` in one transaction, waiting at most `timeout` seconds for the log:
        whether each key is new. Raises LogUnavailable, and then nothing was kept."""
        try:
            firsts = []
            with self.file.writing(timeout) as db:
                for item in batch:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO requests (key, kind, received_at, payload)"
                        " VALUES (?, ?, ?, ?)",
                        item.row,
                    )
                    firsts.append(cursor.rowcount == 1)
            return firsts
        except LogUnavailable:
            raise
        except Exception as exc:
            raise LogUnavailable(repr(exc)) from exc

    def done(self, key: str) -> None:
        """Mark `key` done (inside the caller's transaction): its payload is dropped."""
        self.db.execute(
            "UPDATE requests SET done_at = ?, payload = NULL WHERE key = ? AND done_at IS NULL",
            [now(), key],
        )

    def finish(self, key: str) -> None:
        """A request answered without a decision (invalid input): done, its payload dropped."""
        with self.file.lock, self.db.conn:
            self.done(key)

    def pending(self, since: str) -> list[tuple[str, str, dict[str, Any]]]:
        """Requests accepted at or after `since` and never finished: (key, kind, payload)."""
        with self.file.lock:
            rows = self.db.execute(
                "SELECT key, kind, payload FROM requests"
                " WHERE done_at IS NULL AND received_at >= ? ORDER BY received_at",
                [since],
            ).fetchall()
        return [(key, kind, json.loads(payload)) for key, kind, payload in rows]
