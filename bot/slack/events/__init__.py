"""Events API: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import after_ack
from bot.slack.events.home import home_opened
from bot.slack.events.mention import keep_mention, reply_to_mention
from bot.slack.events.thread_reply import keep_thread_message, reply_to_thread_message


def register(app: App) -> None:
    app.event(ids.APP_MENTION)(after_ack(reply_to_mention, ack=keep_mention))
    app.event(ids.MESSAGE)(after_ack(reply_to_thread_message, ack=keep_thread_message))
    app.event(ids.APP_HOME_OPENED)(after_ack(home_opened))
