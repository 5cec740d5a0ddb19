"""The decisions: written in single transactions (a decision is on disk before its card is
posted, and the card's ts is added after), found again by id, card, channel or request key.

A card decision's posting is claimed here, so that it is posted once (bot/slack/posting.py):
post_state is pending when logged, posting once a run has claimed it (post_owner; a restart
takes over a dead run's), then posted (with the ts) or failed (the user was told; never posted
again).
The file is bot/decisions/database.py's; the requests kept before their ack are the inbox's
(inbox.py), the keys seen once are the claims' (claims.py).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from bot.core.result import Result
from bot.decisions.claims import Claims
from bot.decisions.database import LogFile, now
from bot.decisions.inbox import RequestInbox
from bot.settings import Settings

Source = Literal["slash", "modal", "mention", "button", "thread-what-if", "cli", "playground"]
Visibility = Literal["public", "private", "dm", "unknown", "local"]
# The decisions whose card is posted: their posting is tracked.
CARD_SOURCES = ("slash", "modal", "mention")
PostState = Literal["pending", "posting", "posted", "failed"]
# A decision is proposed until adopted for a cluster; adopting another for it supersedes it.
State = Literal["proposed", "adopted", "superseded"]

log = logging.getLogger(__name__)
# An observer is called after each write as observer(event, **data): "recorded" (decision),
# "duplicate" (decision, key: a request key already logged), "claimed" (key, first).
Observer = Callable[..., None]


def default_db_path() -> str:
    """NETPLUGIN_DB, else netplugin.db (bot.settings)."""
    return Settings().netplugin_db


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
    confidence: str | None = None  # firm | leaning, for a recommendation (None: logged before)
    knowledge_version: str
    message_ts: str | None = None
    thread_ts: str | None = None  # the thread the card is posted in (None: in the channel)
    permalink: str | None = None
    parent_id: int | None = None
    request_key: str | None = None
    post_state: PostState | None = None  # None: a decision with no card of its own
    state: State = "proposed"
    cluster: str | None = None  # adopted (or superseded) for this cluster
    adopted_by: str | None = None  # a Slack user id, or an operator's name (the CLI)
    adopted_at: str | None = None
    review_by: str | None = None  # an ISO date; None: before the cluster is created
    supersedes: int | None = None
    superseded_by: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        # Through the result model: a decision logged before a field existed reads with its default.
        result = Result.model_validate(json.loads(row["result"])).to_json()
        return cls(**{**row, "plan": json.loads(row["plan"]), "result": result})

    def visible_from(self, channel: str | None) -> bool:
        """A private channel's or a DM's decision is shown only where it was made."""
        return self.visibility == "public" or (channel is not None and channel == self.channel)


class DecisionLog:
    """The log on one SQLite file (or `:memory:`), safe to share between listener threads.
    must_exist=True opens an existing file only (LogFileError `missing` otherwise; nothing is
    created): for commands that read the log."""

    def __init__(self, path: str | Path | None = None, *, must_exist: bool = False):
        self.path = str(path or default_db_path())
        self.observers: list[Observer] = []
        self.file = LogFile(self.path, must_exist=must_exist)
        self.db = self.file.db
        self._lock = self.file.lock
        self.inbox = RequestInbox(self.file)
        self.claims = Claims(self.file, self._notify)

    def close(self) -> None:
        self.file.close()

    def check_writable(self, timeout: float = 2.0) -> None:
        self.file.check_writable(timeout)

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
        thread_ts: str | None = None,
    ) -> tuple[Decision, bool]:
        """Log a decision in one transaction. Returns (decision, created); with a request key
        already logged (a retry, a double click) the insert meets the unique index, and it
        returns the first decision and False."""
        row = {
            "created_at": now(),
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
            "confidence": result.get("confidence"),
            "knowledge_version": result["knowledge_version"],
            "parent_id": parent_id,
            "request_key": request_key,
            "thread_ts": thread_ts,
            "post_state": "pending" if source in CARD_SOURCES else None,
            "state": "proposed",
        }
        existing: Decision | None = None
        with self._lock:
            try:
                with self.db.conn:  # one transaction: the decision, and its request done
                    self.db.execute("BEGIN IMMEDIATE")
                    decision_id = self.db["decisions"].insert(row).last_pk
                    if request_key is not None:
                        self.inbox.done(request_key)
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

    def attach_message(
        self, decision_id: int, *, channel: str, ts: str, permalink: str | None = None
    ) -> None:
        """Complete a decision with its card's message, so thread replies find it: posted."""
        with self._lock, self.db.conn:
            self.db["decisions"].update(
                decision_id,
                {
                    "channel": channel,
                    "message_ts": ts,
                    "permalink": permalink,
                    "post_state": "posted",
                    "post_error": None,
                },
            )

    def attach_permalink(self, decision_id: int, permalink: str) -> None:
        with self._lock, self.db.conn:
            self.db["decisions"].update(decision_id, {"permalink": permalink})

    # --- the card's posting: pending → posting → posted | failed ---------------------------

    def _set_post_state(self, decision_id: int, where: str, args: list[Any], **values: Any) -> bool:
        sets = ", ".join(f"{column} = ?" for column in values)
        with self._lock, self.db.conn:
            cursor = self.db.execute(
                f"UPDATE decisions SET {sets} WHERE id = ? AND {where}",
                [*values.values(), decision_id, *args],
            )
            return cursor.rowcount == 1

    def claim_post(self, decision_id: int, owner: str) -> bool:
        """pending → posting, for `owner` (a run of the bot): True for one caller only, so a
        replayed or duplicated request never posts the card a second time."""
        return self._set_post_state(
            decision_id,
            "(post_state = 'pending' OR (post_state IS NULL AND message_ts IS NULL))",
            [],
            post_state="posting",
            post_owner=owner,
        )

    def take_over_post(self, decision_id: int, owner: str) -> bool:
        """posting by another run (one that died with the outcome unknown) → posting by `owner`:
        True for one caller only. The new owner looks for the card before posting it."""
        return self._set_post_state(
            decision_id,
            "post_state = 'posting' AND (post_owner IS NULL OR post_owner != ?)",
            [owner],
            post_owner=owner,
        )

    def post_failed(self, decision_id: int, error: str) -> None:
        """posting → failed: the user is told next, and the card is never posted again."""
        self._set_post_state(
            decision_id, "post_state = 'posting'", [], post_state="failed", post_error=error
        )

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

    def unposted(self, since: str, owner: str) -> list[Decision]:
        """Card decisions logged at or after `since` that are not posted and not failed, and not
        being posted by `owner` (this run): pending ones (the process died before posting), and
        ones a dead run was posting (outcome unknown). What a restart finishes."""
        with self._lock:
            rows = self.db["decisions"].rows_where(
                "post_state IN ('pending', 'posting') AND created_at >= ?"
                " AND (post_state = 'pending' OR post_owner IS NULL OR post_owner != ?)",
                [since, owner],
                order_by="id",
            )
            return [Decision.from_row(r) for r in rows]

    def by_message(self, channel: str, ts: str) -> Decision | None:
        """The decision a thread whose parent is message `ts` in `channel` is about: the one
        whose card that message is, else the latest whose card was posted in that thread (the
        card answering an @mention, in the mention's thread)."""
        with self._lock:
            found = self._one("channel = ? AND message_ts = ?", [channel, ts])
            if found is not None:
                return found
            rows = list(
                self.db["decisions"].rows_where(
                    "channel = ? AND thread_ts = ? AND message_ts IS NOT NULL",
                    [channel, ts],
                    order_by="id DESC",
                    limit=1,
                )
            )
            return Decision.from_row(rows[0]) if rows else None

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
