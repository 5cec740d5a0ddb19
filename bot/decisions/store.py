"""Reading and writing the decision log.

One SQLite file (WAL, so datasette and the CLI can read while the bot writes). Writes are single
transactions: a decision is on disk before its card is posted, and the card's ts is added after.
Idempotency keys make Slack's retries and double clicks harmless.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlite_utils import Database

from bot.decisions.migrations import migrations
from bot.settings import Settings

Source = Literal["slash", "modal", "button", "thread-what-if", "cli", "playground"]
Visibility = Literal["public", "private", "dm", "unknown", "local"]
BUSY_TIMEOUT_MS = 5000

log = logging.getLogger(__name__)
# An observer is called after each write as observer(event, **data): "recorded" (decision),
# "duplicate" (decision, key: a request key already logged), "claimed" (key, first).
Observer = Callable[..., None]


def default_db_path() -> str:
    """NETPLUGIN_DB, else netplugin.db (bot.settings)."""
    return Settings().netplugin_db


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Decision(BaseModel):
    id: int
    created_at: str
    team: str | None = None
    channel: str | None = None
    visibility: str | None = None
    user: str | None = None
    source: str
    raw_text: str | None = None
    plan: dict[str, Any]
    result: dict[str, Any]
    status: str
    plugin: str | None = None
    knowledge_version: str
    message_ts: str | None = None
    permalink: str | None = None
    parent_id: int | None = None
    request_key: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(**{**row, "plan": json.loads(row["plan"]), "result": json.loads(row["result"])})

    def visible_from(self, channel: str | None) -> bool:
        """A private channel's or a DM's decision is shown only where it was made."""
        return self.visibility == "public" or (channel is not None and channel == self.channel)


class _Accepted:
    """One request waiting for the group commit of `DecisionLog.accept`."""

    __slots__ = ("done", "error", "first", "row")

    def __init__(self, row: tuple[str, str, str, str]):
        self.row = row
        self.first = False
        self.error: Exception | None = None
        self.done = threading.Event()


class DecisionLog:
    """The log on one SQLite file (or `:memory:`), safe to share between listener threads."""

    def __init__(self, path: str | Path | None = None):
        self.path = str(path or default_db_path())
        self.observers: list[Observer] = []
        self._gather = threading.Lock()  # the group commit's queue (accept)
        self._gathered: list[_Accepted] = []
        self._committing = False
        memory = self.memory = self.path == ":memory:"
        if not memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db = Database(conn)
        self._lock = threading.Lock()
        if not memory:
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed decision survives the process being killed.
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            migrations.apply(self.db)

    def close(self) -> None:
        """Checkpoint the WAL into the database file and close (a backup or a copy of the file
        alone is then complete)."""
        with self._lock:
            if not self.memory:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.conn.close()

    def check_writable(self, timeout: float = 2.0) -> None:
        """Commit a one-row upsert to the `_health` table: raises sqlite3.Error when the
        database cannot take a write now (read-only file or volume, full disk, locked by
        another writer for longer than `timeout`), TimeoutError when another thread of ours
        holds the connection that long. Readiness probes call it."""
        if not self._lock.acquire(timeout=timeout):
            raise TimeoutError("the decision log is busy")
        try:
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            try:
                with self.db.conn:
                    self.db.execute("BEGIN IMMEDIATE")
                    self.db.execute(
                        "CREATE TABLE IF NOT EXISTS _health (id INTEGER PRIMARY KEY, at TEXT)"
                    )
                    self.db.execute(
                        "INSERT INTO _health (id, at) VALUES (1, ?)"
                        " ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                        [_now()],
                    )
            finally:
                self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            self._lock.release()

    def _notify(self, event: str, **data: Any) -> None:
        for observer in self.observers:
            try:
                observer(event, **data)
            except Exception:  # metrics must never break a write
                log.exception("decision log observer failed")

    # --- writing ----------------------------------------------------------------------------

    def record(
        self,
        *,
        result: dict[str, Any],
        source: Source,
        raw_text: str | None = None,
        team: str | None = None,
        channel: str | None = None,
        visibility: Visibility = "unknown",
        user: str | None = None,
        parent_id: int | None = None,
        request_key: str | None = None,
    ) -> tuple[Decision, bool]:
        """Log a decision in one transaction. Returns (decision, created); with a request key
        already logged (a retry, a double click) the insert meets the unique index, and it
        returns the first decision and False."""
        row = {
            "created_at": _now(),
            "team": team,
            "channel": channel,
            "visibility": visibility,
            "user": user,
            "source": source,
            "raw_text": raw_text,
            "plan": json.dumps(result["plan"], sort_keys=True),
            "result": json.dumps(result, sort_keys=True),
            "status": result["status"],
            "plugin": result.get("plugin"),
            "knowledge_version": result["knowledge_version"],
            "parent_id": parent_id,
            "request_key": request_key,
        }
        existing: Decision | None = None
        with self._lock:
            try:
                with self.db.conn:  # one transaction: the decision, and its request done
                    self.db.execute("BEGIN IMMEDIATE")
                    decision_id = self.db["decisions"].insert(row).last_pk
                    if request_key is not None:
                        self._done(request_key)
                decision = self._get(decision_id)
            except sqlite3.IntegrityError:  # the unique request key: decided before
                existing = self._one("request_key = ?", [request_key])
                if existing is None:
                    raise
        if existing is not None:
            self._notify("duplicate", decision=existing, key=request_key)
            return existing, False
        self._notify("recorded", decision=decision)
        return decision, True

    def accept(self, key: str, kind: str, payload: dict[str, Any]) -> bool:
        """Keep a request before acknowledging it: if the process dies before the decision is
        logged, the next start finishes it (`pending`). False when the key was accepted before
        (a retry). Never pass secrets in `payload`.

        Group commit: the ack path of every request waits for this, so concurrent requests
        share one transaction instead of queueing for one commit each. The first caller with
        nothing in flight commits what has gathered (its own and later arrivals) until the
        queue is empty; the others wait for their batch."""
        entry = _Accepted((key, kind, _now(), json.dumps(payload, sort_keys=True)))
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
            with self._lock, self.db.conn:
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

    def _done(self, key: str) -> None:
        self.db.execute(
            "UPDATE requests SET done_at = ?, payload = NULL WHERE key = ? AND done_at IS NULL",
            [_now(), key],
        )

    def finish(self, key: str) -> None:
        """A request answered without a decision (invalid input): done, its payload dropped."""
        with self._lock, self.db.conn:
            self._done(key)

    def pending(self, since: str) -> list[tuple[str, str, dict[str, Any]]]:
        """Requests accepted at or after `since` and never finished: (key, kind, payload)."""
        with self._lock:
            rows = self.db.execute(
                "SELECT key, kind, payload FROM requests"
                " WHERE done_at IS NULL AND received_at >= ? ORDER BY received_at",
                [since],
            ).fetchall()
        return [(key, kind, json.loads(payload)) for key, kind, payload in rows]

    def attach_message(
        self, decision_id: int, *, channel: str, ts: str, permalink: str | None = None
    ) -> None:
        """Complete a decision with its card's message, so thread replies find it."""
        with self._lock, self.db.conn:
            self.db["decisions"].update(
                decision_id, {"channel": channel, "message_ts": ts, "permalink": permalink}
            )

    def claim(self, key: str) -> bool:
        """True the first time `key` (an event_id, an action's id) is seen, False after."""
        with self._lock:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO handled_events (key, created_at) VALUES (?, ?)",
                [key, _now()],
            )
            first = cursor.rowcount == 1
        self._notify("claimed", key=key, first=first)
        return first

    # --- reading ----------------------------------------------------------------------------

    def _one(self, where: str, args: list[Any]) -> Decision | None:
        rows = list(self.db["decisions"].rows_where(where, args, limit=1))
        return Decision.from_row(rows[0]) if rows else None

    def _get(self, decision_id: int) -> Decision:
        return Decision.from_row(self.db["decisions"].get(decision_id))

    def get(self, decision_id: int) -> Decision | None:
        with self._lock:
            return self._one("id = ?", [decision_id])

    def by_request_key(self, key: str) -> Decision | None:
        """The decision logged for this request (a slash command's trigger_id, a view)."""
        with self._lock:
            return self._one("request_key = ?", [key])

    def unposted(self, since: str) -> list[Decision]:
        """Decisions logged at or after `since` whose card was never posted (the process died
        between logging and posting): what a restart posts."""
        with self._lock:
            rows = self.db["decisions"].rows_where(
                "message_ts IS NULL AND created_at >= ? AND source IN ('slash', 'modal')",
                [since],
                order_by="id",
            )
            return [Decision.from_row(r) for r in rows]

    def by_message(self, channel: str, ts: str) -> Decision | None:
        """The decision whose card is message `ts` in `channel` (a thread's parent)."""
        with self._lock:
            return self._one("channel = ? AND message_ts = ?", [channel, ts])

    def history(self, channel: str, limit: int = 10) -> list[Decision]:
        with self._lock:
            rows = self.db["decisions"].rows_where(
                "channel = ?", [channel], order_by="id DESC", limit=limit
            )
            return [Decision.from_row(r) for r in rows]

    def children(self, decision_id: int) -> list[Decision]:
        with self._lock:
            rows = self.db["decisions"].rows_where("parent_id = ?", [decision_id], order_by="id")
            return [Decision.from_row(r) for r in rows]

    def query(
        self,
        *,
        channel: str | None = None,
        plugin: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Decision]:
        clauses, args = [], []
        for column, value, op in (
            ("channel", channel, "="),
            ("plugin", plugin, "="),
            ("created_at", since, ">="),
        ):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                args.append(value)
        with self._lock:
            rows = self.db["decisions"].rows_where(
                " AND ".join(clauses) or None, args, order_by="id", limit=limit
            )
            return [Decision.from_row(r) for r in rows]

    def count(self) -> int:
        with self._lock:
            return self.db["decisions"].count
