"""@NetPlugin Advisor mentioned: in a card's thread it is a question about that decision;
elsewhere, say how to ask, in the mention's thread (on the channel's lane: a 429 waits on the
timer, bot/slack/posting.py), once per event even when Slack retries (X-Slack-Retry-Num) or
several replicas receive it."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.render.messages import say
from bot.slack.cards import notice
from bot.slack.deps import advisor_of
from bot.slack.posting import post_reply
from bot.slack.threads import reply_in_thread


def reply_to_mention(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    advisor = advisor_of(context)
    if reply_in_thread(advisor, client, event):
        return
    if not advisor.log.claims.claim(f"event:{body.get('event_id')}"):
        return
    message = notice(advisor, say("mention-reply"))
    thread_ts = event.get("thread_ts") or event["ts"]
    post_reply(advisor, client, channel=event["channel"], thread_ts=thread_ts, message=message)
