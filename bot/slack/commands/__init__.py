"""/netplugin: wiring only. The subcommands are a dict (commands/subcommands.py)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import after_ack
from bot.slack.commands.netplugin import answer_netplugin, keep_question


def register(app: App) -> None:
    app.command(ids.COMMAND)(after_ack(answer_netplugin, ack=keep_question))
