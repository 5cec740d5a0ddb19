"""Events API: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import ack_at_once
from bot.slack.events.mention import reply_to_mention
from bot.slack.events.thread_reply import reply_to_thread_message


def register(app: App) -> None:
    app.event(ids.APP_MENTION)(ack=ack_at_once, lazy=[reply_to_mention])
    app.event(ids.MESSAGE)(ack=ack_at_once, lazy=[reply_to_thread_message])
