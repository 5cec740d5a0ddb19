"""Answering a request: recommend for the plan read from it, and log the decision, once.

Every surface that decides (the slash command, an @mention, the questionnaire, a what-if in a
card's thread, `netplugin recommend --log`) calls `decide`. A request already decided (Slack's
retry, a double submit, a restart finishing what a killed process acknowledged) is recognised by
the unique index on its request key, in the same insert: nothing reads first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from bot.core.engine import recommend
from bot.core.knowledge import Knowledge
from bot.core.plan import PlanBase
from bot.decisions.store import Decision, DecisionLog, Source, Visibility


class Asked(BaseModel):
    """Who asked, where, in which words, and the request's key (None: never asked twice)."""

    source: Source
    raw_text: str | None = None
    team: str | None = None
    channel: str | None = None
    visibility: Visibility = "unknown"
    user: str | None = None
    parent_id: int | None = None
    request_key: str | None = None
    thread_ts: str | None = None  # a card answering an @mention goes in the mention's thread


def decide(
    log: DecisionLog,
    kb: Knowledge,
    plan: PlanBase,
    asked: Asked,
    *,
    understood: Sequence[Any] = (),
    unsure: Sequence[Any] = (),
) -> tuple[Decision, bool]:
    """(decision, created): created is False when the request was decided before, and the
    decision is the one logged then."""
    result = recommend(plan, kb, list(understood), list(unsure)).to_json()
    return log.record(result=result, **asked.model_dump())
