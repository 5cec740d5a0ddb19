"""@NetPlugin Advisor mentioned.

- In a card's thread, it is a question about that decision (bot/slack/threads.py).
- Elsewhere, carrying a question ("@NetPlugin Advisor 300 nodes in our own data centre, BGP
  yes"), it is answered like `/netplugin <question>`: kept before the ack, decided and logged
  once (source `mention`), its card posted once in the mention's thread, through the path the
  slash command takes (bot/slack/asking.py). Words that cannot be read (`nodes=lots`) are
  answered in that thread, and nothing is logged. A question is what the reader takes something
  from: an answer, words it could not settle, or a key=value it refuses.
- A bare mention ("hi", "help") is told how to ask, in its thread.

Each once per event, however often Slack retries (X-Slack-Retry-Num) or however many replicas
receive it, and posted on the channel's lane (a 429 waits on the timer, bot/slack/posting.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.explain import MENTION
from bot.core.grammar import ParsedQuestion, read_question
from bot.decisions import Asked
from bot.render.messages import problem_text, say
from bot.slack import render
from bot.slack.asking import decide_and_post
from bot.slack.cards import notice
from bot.slack.deps import Advisor, advisor_of
from bot.slack.payload import event_visibility
from bot.slack.posting import post_reply
from bot.slack.threads import keep, reply_in_thread

KEPT = ("type", "channel", "channel_type", "user", "text", "ts", "thread_ts", "team")


def mention_key(event: dict[str, Any]) -> str:
    """One key per mention: Slack's retries of it, and the replicas that receive it, share it."""
    return f"mention:{event.get('channel')}:{event.get('ts')}"


def question_in(advisor: Advisor, event: dict[str, Any]) -> ParsedQuestion | None:
    """The question a mention carries, as the reader reads it, or None for a bare mention."""
    parsed = read_question(MENTION.sub(" ", event.get("text") or "").strip(), advisor.kb)
    if parsed.understood or parsed.unsure or parsed.problems:
        return parsed
    return None


def _with_team(body: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """The event with its team (an app_mention names it only in the envelope)."""
    return {**event, "team": event.get("team") or body.get("team_id")}


def keep_mention(
    ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext
) -> None:
    """The ack: a mention in a card's thread, or one carrying a question, is kept in the log
    before Slack hears back, so a restart answers it if this process dies."""
    advisor = advisor_of(context)
    if not keep(advisor, event) and question_in(advisor, event) is not None:
        kept = {k: v for k, v in _with_team(body, event).items() if k in KEPT}
        advisor.log.inbox.accept(mention_key(event), "mention", kept)
    ack()


def answer_mention(
    advisor: Advisor,
    client: WebClient,
    event: dict[str, Any],
    parsed: ParsedQuestion | None = None,
) -> bool:
    """Answer a mention carrying a question: its card in the mention's thread, or what could not
    be read. False when it carries none (bot/slack/recovery.py finishes it then)."""
    parsed = parsed or question_in(advisor, event)
    if parsed is None:
        return False
    key = mention_key(event)
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    if parsed.problems:  # nothing logged: said in the thread, once
        if advisor.log.claims.claim(key):
            problems = [problem_text(p) for p in parsed.problems]
            post_reply(
                advisor,
                client,
                channel=channel,
                thread_ts=thread_ts,
                message=render.message("slack/problems.json.j2", problems=problems),
                then=lambda: advisor.log.inbox.finish(key),
            )
        return True
    asked = Asked(
        source="mention",
        raw_text=parsed.text,
        team=event.get("team"),
        channel=channel,
        visibility=event_visibility(event),
        user=event.get("user"),
        request_key=key,
        thread_ts=thread_ts,
    )
    decide_and_post(advisor, client, parsed, asked)
    return True


def reply_to_mention(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    advisor = advisor_of(context)
    if reply_in_thread(advisor, client, event):
        return
    if answer_mention(advisor, client, _with_team(body, event)):
        return
    if not advisor.log.claims.claim(f"event:{body.get('event_id')}"):
        return
    message = notice(advisor, say("mention-reply"))
    thread_ts = event.get("thread_ts") or event["ts"]
    post_reply(advisor, client, channel=event["channel"], thread_ts=thread_ts, message=message)
