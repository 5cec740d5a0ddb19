"""A message in a card's thread (why, why not, what if, checklist): answered in that thread
from the logged decision. Everything else (top-level messages, bots, edits) is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.deps import advisor_of
from bot.slack.threads import reply_in_thread


def reply_to_thread_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    reply_in_thread(advisor_of(context), client, event)
