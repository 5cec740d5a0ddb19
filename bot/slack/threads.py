"""Replies in a card's thread: why, why not, what if, checklist (or one item of it), from the
logged snapshot.

A human message whose `thread_ts` is a card's ts is about that card's decision. It is answered
from what was logged then, not from today's rules; today's rules only add a note when they would
now answer differently, and evaluate what-ifs (logged as child decisions).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.core.explain import MENTION, answered, classify, drift, plan_change
from bot.decisions import Asked, Decision, decide
from bot.render.messages import problem_text
from bot.slack import render
from bot.slack.cards import decision_checklist
from bot.slack.deps import Advisor
from bot.slack.posting import post_reply

log = logging.getLogger(__name__)

# Message subtypes that are not a person writing: edits, deletions, joins, bots' own posts.
IGNORED_SUBTYPES = {
    "bot_message",
    "message_changed",
    "message_deleted",
    "channel_join",
    "channel_leave",
    "thread_broadcast",
}


def request_key(event: dict[str, Any]) -> str:
    """One key per thread message: Slack's retries, and the message + app_mention pair that one
    mention in a thread produces, share it."""
    return f"thread-reply:{event.get('channel')}:{event.get('ts')}"


def keep(advisor: Advisor, event: dict[str, Any]) -> bool:
    """Before the ack: keep a message that is for us, so a restart answers it if we die. True
    when it replies to a card (and was kept)."""
    if card_decision(advisor, event) is None:
        return False
    kept = {k: event.get(k) for k in ("type", "channel", "user", "text", "ts", "thread_ts")}
    advisor.log.inbox.accept(request_key(event), "thread", {**kept, "team": event.get("team")})
    return True


def card_decision(advisor: Advisor, event: dict[str, Any]) -> Decision | None:
    """The decision whose card this message replies to, or None when it is not for us."""
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return None  # a top-level message
    if event.get("bot_id") or event.get("subtype") in IGNORED_SUBTYPES:
        return None  # never answer a bot, ourselves included, nor an edit
    if advisor.bot_user_id and event.get("user") == advisor.bot_user_id:
        return None
    return advisor.log.by_message(event.get("channel", ""), thread_ts)


def _context(advisor: Advisor, decision: Decision, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "d": decision,
        "r": result,
        "plugin_names": advisor.plugin_names,
        "cite": render.citer(result.get("sources", {})),
        "drift": drift(decision.result, advisor.kb),
        # Items are named by their title; a decision logged before titles takes today's.
        "item_titles": {item.id: item.title for item in advisor.kb.checklist},
    }


def _why_not(advisor: Advisor, decision: Decision, plugin: str | None) -> dict[str, Any]:
    result = decision.result
    if plugin is None:  # "why not the other one"
        plugin = result["why_not"]["plugin"] if result.get("why_not") else None
    if plugin is None:
        return render.message("slack/thread-help.json.j2", d=decision)
    ctx = _context(advisor, decision, result)
    return render.message("slack/thread-why-not.json.j2", plugin=plugin, **ctx)


def _topic(advisor: Advisor, decision: Decision, named: list[str]) -> dict[str, Any]:
    """A question about checklist items ("how do I verify the MTU?"): those on the decision's
    checklist, as decided; when none is, why not, and how each is verified where it applies."""
    result = decision.result
    kb = advisor.kb
    ctx = _context(advisor, decision, result)
    # The logged sources first; an item not on the checklist cites today's.
    sources = {key: source.model_dump(mode="json") for key, source in kb.sources.items()}
    ctx["cite"] = render.citer({**sources, **result.get("sources", {})})
    items = [entry for entry in result["checklist"] if entry["id"] in named]
    if items:
        return render.message(
            "slack/thread-topic.json.j2", items=items, off=[], plugin_summary=None, **ctx
        )
    plugin = result.get("plugin")
    off = [
        {
            "id": item.id,
            "title": item.title,
            "text": item.requires,
            "verify": item.verify,
            "ports": item.ports,
            "sources": item.sources,
            "plugins": [advisor.plugin_names[p] for p in item.plugins],
            "other_plugin": plugin is not None and plugin not in item.plugins,
        }
        for item in kb.checklist
        if item.id in named
    ]
    recommended = next((p for p in kb.plugins if p.id == plugin), None)
    summary = {"text": recommended.summary, "sources": recommended.sources} if recommended else None
    return render.message(
        "slack/thread-topic.json.j2", items=[], off=off, plugin_summary=summary, **ctx
    )


def _what_if(
    advisor: Advisor, decision: Decision, text: str, event: dict[str, Any]
) -> dict[str, Any]:
    change = plan_change(decision.result, text, advisor.kb)
    if not change.ok or change.after is None:
        return render.message(
            "slack/thread-problems.json.j2",
            problems=[problem_text(p) for p in change.problems],
        )
    asked = Asked(
        source="thread-what-if",
        raw_text=event.get("text") or "",
        team=event.get("team") or decision.team,
        channel=decision.channel,
        visibility=decision.visibility or "unknown",
        user=event.get("user"),
        parent_id=decision.id,
        request_key=request_key(event),  # closes the kept request in the same transaction
    )
    child, _ = decide(
        advisor.log,
        advisor.kb,
        change.after,
        asked,
        understood=change.understood,
        unsure=change.unsure,
    )
    answer = answered(decision.result, change, child.result)
    ctx = _context(advisor, decision, answer.result)
    return render.message("slack/thread-what-if.json.j2", w=answer, child_id=child.id, **ctx)


def answer(advisor: Advisor, decision: Decision, event: dict[str, Any]) -> dict[str, Any]:
    """The reply to one thread message about `decision`, as a message (text + blocks)."""
    reply = classify(event.get("text") or "")
    if reply.intent == "why":
        ctx = _context(advisor, decision, decision.result)
        return render.message("slack/thread-why.json.j2", **ctx)
    if reply.intent == "why-not":
        return _why_not(advisor, decision, reply.plugin)
    if reply.intent == "what-if":
        return _what_if(advisor, decision, reply.text, event)
    # "checklist", "how do I verify the MTU?", "BGP?": one item when the words name it.
    named = advisor.topics.named(MENTION.sub(" ", event.get("text") or ""))
    if named:
        return _topic(advisor, decision, named)
    if reply.intent == "checklist":
        return decision_checklist(advisor, decision)
    return render.message("slack/thread-help.json.j2", d=decision)


def reply_in_thread(advisor: Advisor, client: WebClient, event: dict[str, Any]) -> bool:
    """Answer `event` if it is a person's message in a card's thread. True when it was ours
    (answered now, or already answered: Slack's retries and the message + app_mention pair that
    one mention in a thread produces are claimed by the message's own ts)."""
    decision = card_decision(advisor, event)
    if decision is None:
        return False
    if not advisor.log.claims.claim(request_key(event)):
        return True
    answer_and_post(advisor, client, decision, event)
    return True


def answer_and_post(
    advisor: Advisor, client: WebClient, decision: Decision, event: dict[str, Any]
) -> None:
    """Answer in the thread (posted on the channel's lane, bot/slack/posting.py), then close the
    kept request (bot/slack/recovery.py calls this for the requests a killed process kept but
    never answered)."""
    message = answer(advisor, decision, event)
    post_reply(
        advisor,
        client,
        channel=event["channel"],
        thread_ts=event["thread_ts"],
        message=message,
        then=lambda: advisor.log.inbox.finish(request_key(event)),
    )
