"""A message in a card's thread (why, why not, what if, checklist): answered in that thread
from the logged decision. Everything else (top-level messages, bots, edits) is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack.deps import advisor_of
from bot.slack.threads import keep, reply_in_thread


def keep_thread_message(ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
    """The ack: a reply under a card (a what-if is a decision) is kept before Slack hears back."""
    keep(advisor_of(context), event)
    ack()


def reply_to_thread_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    reply_in_thread(advisor_of(context), client, event)
