"""A preflight report, received and recorded (bot/decisions/preflight.py), said in its decision's
thread: per item ✅ ❌ ❔ with what was measured, towards which peer, on which host, by whom, when.

    post_report(advisor, client, received) → False when the decision has no card in Slack

Posted on the channel's lane like every thread reply (bot/slack/posting.py `post_reply`): after
the report's sender has its answer, off the shared workers; a 429 waits on the timer.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.decisions.preflight import Received, mark_posted, unposted
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
    """Say `received` in its decision's thread, on the channel's lane, and then mark it said in
    the log (a report taken but not said when the process died is said by the next start:
    `post_unposted_reports`). False when the decision has no card in Slack to reply to
    (decided in the terminal, or its card never posted)."""
    decision = received.decision
    if not (decision.channel and decision.message_ts):
        mark_posted(advisor.log, received.report_id)
        return False
    post_reply(
        advisor,
        client,
        channel=decision.channel,
        thread_ts=decision.thread_ts or decision.message_ts,
        message=report_message(advisor, received),
        then=lambda: mark_posted(advisor.log, received.report_id),
    )
    return True


def post_unposted_reports(advisor: Advisor, client: WebClient, since: str) -> int:
    """Say the reports a killed process had taken since `since` but not said; how many."""
    left = unposted(advisor.log, since)
    for received in left:
        post_report(advisor, client, received)
    return len(left)
