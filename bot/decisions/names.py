"""The names of the Slack users and channels behind decisions, kept in the log: Slack gives
events and commands ids (U0ALICE, C0GENERAL), and a record people keep should say alice and
#general. bot/slack/names.py resolves them (users.info, conversations.info) after a card is
posted and when a decision is adopted; the ADR export and the CLI read them here, and show the
id where there is no name.

    put(log, "U0ALICE", kind="user", name="alice")
    names_of(log, ["U0ALICE", "C0GENERAL"]) → {"U0ALICE": "alice"}

Policy (no source gives a number): a name resolved more than MAX_AGE ago is resolved again the
next time it is seen, so a renamed channel or person catches up within a week of activity. A
name that could not be resolved is not kept: the id stands, and the next sight tries again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from bot.decisions.database import now
from bot.decisions.store import DecisionLog

Kind = Literal["user", "channel"]
MAX_AGE = dt.timedelta(days=7)  # policy: see above
WRITE_TIMEOUT = 5.0  # seconds: off the ack path, never the user's wait


class Name(BaseModel):
    id: str
    kind: Kind
    name: str | None  # None: resolved, and it has no name (a DM)
    resolved_at: str


def get(log: DecisionLog, id: str) -> Name | None:
    with log.file.lock:
        rows = list(log.db["names"].rows_where("id = ?", [id], limit=1))
    return Name(**rows[0]) if rows else None


def put(log: DecisionLog, id: str, *, kind: Kind, name: str | None) -> Name:
    """Keep `name` for `id`, resolved now (replacing what was kept). Raises LogUnavailable when
    the log takes no write now."""
    row = Name(id=id, kind=kind, name=name, resolved_at=now())
    with log.file.writing(WRITE_TIMEOUT) as db:
        db["names"].upsert(row.model_dump(), pk="id")
    return row


def is_stale(found: Name | None, at: dt.datetime | None = None) -> bool:
    """Whether `found` should be resolved (again): never resolved, or more than MAX_AGE ago."""
    if found is None:
        return True
    at = at or dt.datetime.now(dt.UTC)
    return at - dt.datetime.fromisoformat(found.resolved_at) > MAX_AGE


def names_of(log: DecisionLog, ids: Iterable[str | None]) -> dict[str, str]:
    """id → name for those of `ids` whose name is kept (an id without one is left out)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found: dict[str, str] = {}
    with log.file.lock:
        for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in log.db["names"].rows_where(f"id IN ({marks}) AND name IS NOT NULL", chunk):
                found[row["id"]] = row["name"]
    return found
