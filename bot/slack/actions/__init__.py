"""The card's buttons: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import ack_at_once
from bot.slack.actions.adjust import adjust_answers
from bot.slack.actions.checklist import show_checklist
from bot.slack.actions.explain import explain_decision


def register(app: App) -> None:
    app.action(ids.EXPLAIN)(ack=ack_at_once, lazy=[explain_decision])
    app.action(ids.ADJUST)(ack=ack_at_once, lazy=[adjust_answers])
    app.action(ids.CHECKLIST)(ack=ack_at_once, lazy=[show_checklist])
