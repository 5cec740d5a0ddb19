"""Global shortcuts: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import ack_at_once
from bot.slack.shortcuts.plan_network import open_plan_modal


def register(app: App) -> None:
    app.shortcut(ids.PLAN_SHORTCUT)(ack=ack_at_once, lazy=[open_plan_modal])
