"""A preflight report, received and recorded (bot/decisions/preflight.py), said in its decision's
thread: per item ✅ ❌ ❔ with what was measured, towards which peer, on which host, by whom, when.

    post_report(advisor, client, received) → False when the decision has no card in Slack

Posted on the channel's lane like every thread reply (bot/slack/posting.py `post_reply`): after
the report's sender has its answer, off the shared workers; a 429 waits on the timer.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.decisions.preflight import Received
from bot.slack import render
from bot.slack.deps import Advisor
from bot.slack.posting import post_reply
from bot.slack.verified import line, when

# The item's mark in the message: the worst of its results (an unmet peer is unmet).
_WORST = ("unmet", "unknown", "met")


def report_message(advisor: Advisor, received: Received) -> dict[str, Any]:
    titles = {item.id: item.title or item.id for item in advisor.kb.checklist}
    items: dict[str, dict[str, Any]] = {}
    counts = dict.fromkeys(_WORST, 0)
    for v in received.verifications:
        counts[v.status] += 1
        entry = items.setdefault(v.item, {"id": v.item, "title": titles.get(v.item, v.item)})
        entry.setdefault("results", []).append(line(v))
    for entry in items.values():
        statuses = {r["status"] for r in entry["results"]}
        entry["status"] = next(s for s in _WORST if s in statuses)
    return render.message(
        "slack/preflight-report.json.j2",
        d=received.decision,
        host=received.host,
        by=received.by,
        when=when(received.at),
        items=list(items.values()),
        counts=counts,
    )


def post_report(advisor: Advisor, client: WebClient, received: Received) -> bool:
    """Say `received` in its decision's thread, on the channel's lane. False when the decision
    has no card in Slack to reply to (decided in the terminal, or its card never posted)."""
    decision = received.decision
    if not (decision.channel and decision.message_ts):
        return False
    post_reply(
        advisor,
        client,
        channel=decision.channel,
        thread_ts=decision.thread_ts or decision.message_ts,
        message=report_message(advisor, received),
    )
    return True
