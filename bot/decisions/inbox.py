"""The request inbox: a request kept before its ack (one small insert, a group commit shared by
concurrent acks), so that nothing acknowledged is lost when the process dies before the
decision is logged; a restart finishes what is still pending.

The ack waits for this, and Slack waits for the ack (3 s), so keeping a request has a deadline:
when the log cannot take the write in time (another process holds its write lock, a read-only
file, a full disk), `accept` raises LogUnavailable and the caller tells the user that nothing
was recorded.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from bot.decisions.database import LogFile, LogUnavailable, now

# How long an ack may wait for its request to be kept: well inside Slack's 3 s, with the
# request's way there and back and the rest of the ack around it.
ACCEPT_TIMEOUT = 1.0


class _Accepted:
    """One request waiting for the group commit of `RequestInbox.accept`."""

    __slots__ = ("deadline", "done", "error", "first", "lead", "row")

    def __init__(self, row: tuple[str, str, str, str], deadline: float):
        self.row = row
        self.deadline = deadline
        self.first = False
        self.lead = False  # handed the group commit by the previous leader
        self.error: Exception | None = None
        self.done = threading.Event()  # committed, failed, or made the leader


class RequestInbox:
    def __init__(self, file: LogFile):
        self.file = file
        self._gather = threading.Lock()  # the group commit's queue
        self._gathered: list[_Accepted] = []
        self._committing = False

    @property
    def db(self):
        return self.file.db

    def accept(
        self, key: str, kind: str, payload: dict[str, Any], *, timeout: float = ACCEPT_TIMEOUT
    ) -> bool:
        """Keep a request before acknowledging it: if the process dies before the decision is
        logged, the next start finishes it (`pending`). False when the key was accepted before
        (a retry). Never pass secrets in `payload`. Raises LogUnavailable when the request could
        not be kept within `timeout` seconds, or the log refused it: then nothing was kept.

        Group commit: the ack path of every request waits for this, so concurrent requests
        share one transaction instead of queueing for one commit each. The first caller with
        nothing in flight commits what has gathered (its own and later arrivals); then it hands
        what gathered meanwhile to the oldest of those callers, who commits it, and so on: each
        caller waits for at most the batch before its own and its own, each within the
        deadline of the requests in it."""
        entry = _Accepted(
            (key, kind, now(), json.dumps(payload, sort_keys=True)), time.monotonic() + timeout
        )
        with self._gather:
            self._gathered.append(entry)
            lead = not self._committing
            self._committing = True
        if not lead:
            entry.done.wait()
            lead = entry.lead
        if lead:
            self._lead()
        if entry.error is not None:
            raise entry.error
        return entry.first

    def _lead(self) -> None:
        """Commit everything gathered, then hand on what gathered meanwhile (or stop)."""
        with self._gather:
            batch, self._gathered = self._gathered, []
        self._commit_accepted(batch)
        with self._gather:
            if self._gathered:
                successor = self._gathered[0]
                successor.lead = True
                successor.done.set()
            else:
                self._committing = False

    def _commit_accepted(self, batch: list[_Accepted]) -> None:
        try:
            left = min(item.deadline for item in batch) - time.monotonic()
            with self.file.writing(left) as db:
                for item in batch:
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO requests (key, kind, received_at, payload)"
                        " VALUES (?, ?, ?, ?)",
                        item.row,
                    )
                    item.first = cursor.rowcount == 1
        except Exception as exc:  # every waiter learns that its request was not kept
            error = exc if isinstance(exc, LogUnavailable) else LogUnavailable(repr(exc))
            if error is not exc:
                error.__cause__ = exc
            for item in batch:
                item.first = False
                item.error = error
        for item in batch:
            item.done.set()

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
