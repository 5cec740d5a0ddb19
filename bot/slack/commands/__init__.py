"""/netplugin: wiring only. The subcommands are a dict (commands/subcommands.py)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.commands.netplugin import ack_netplugin


def register(app: App) -> None:
    app.command(ids.COMMAND)(ack_netplugin)  # acks, then hands the work to the executor
