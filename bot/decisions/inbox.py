"""The request inbox: a request kept before its ack (one small insert, a group commit shared by
concurrent acks), so that nothing acknowledged is lost when the process dies before the
decision is logged; a restart finishes what is still pending.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from bot.decisions.database import LogFile, now


class _Accepted:
    """One request waiting for the group commit of `RequestInbox.accept`."""

    __slots__ = ("done", "error", "first", "row")

    def __init__(self, row: tuple[str, str, str, str]):
        self.row = row
        self.first = False
        self.error: Exception | None = None
        self.done = threading.Event()


class RequestInbox:
    def __init__(self, file: LogFile):
        self.file = file
        self.db = file.db
        self._gather = threading.Lock()  # the group commit's queue
        self._gathered: list[_Accepted] = []
        self._committing = False

    def accept(self, key: str, kind: str, payload: dict[str, Any]) -> bool:
        """Keep a request before acknowledging it: if the process dies before the decision is
        logged, the next start finishes it (`pending`). False when the key was accepted before
        (a retry). Never pass secrets in `payload`.

        Group commit: the ack path of every request waits for this, so concurrent requests
        share one transaction instead of queueing for one commit each. The first caller with
        nothing in flight commits what has gathered (its own and later arrivals) until the
        queue is empty; the others wait for their batch."""
        entry = _Accepted((key, kind, now(), json.dumps(payload, sort_keys=True)))
        with self._gather:
            self._gathered.append(entry)
            leader = not self._committing
            self._committing = True
        if not leader:
            entry.done.wait()
            if entry.error is not None:
                raise entry.error
            return entry.first
        while True:
            with self._gather:
                batch, self._gathered = self._gathered, []
                if not batch:
                    self._committing = False
                    break
            self._commit_accepted(batch)
        if entry.error is not None:
            raise entry.error
        return entry.first

    def _commit_accepted(self, batch: list[_Accepted]) -> None:
        try:
            with self.file.lock, self.db.conn:
                self.db.execute("BEGIN IMMEDIATE")
                for item in batch:
                    cursor = self.db.execute(
                        "INSERT OR IGNORE INTO requests (key, kind, received_at, payload)"
                        " VALUES (?, ?, ?, ?)",
                        item.row,
                    )
                    item.first = cursor.rowcount == 1
        except Exception as exc:  # every waiter learns that its request was not kept
            for item in batch:
                item.error = exc
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
