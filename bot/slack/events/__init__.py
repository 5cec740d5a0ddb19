"""Events API: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.events.mention import reply_to_mention
from bot.slack.events.thread_reply import keep_thread_message, reply_to_thread_message


def register(app: App) -> None:
    app.event(ids.APP_MENTION)(ack=keep_thread_message, lazy=[reply_to_mention])
    app.event(ids.MESSAGE)(ack=keep_thread_message, lazy=[reply_to_thread_message])
