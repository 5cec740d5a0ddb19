"""The card's buttons: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import after_ack
from bot.slack.actions.adjust import adjust_answers
from bot.slack.actions.adopt import start_adopting
from bot.slack.actions.checklist import show_checklist
from bot.slack.actions.explain import explain_decision


def register(app: App) -> None:
    app.action(ids.EXPLAIN)(after_ack(explain_decision))
    app.action(ids.ADJUST)(after_ack(adjust_answers))
    app.action(ids.CHECKLIST)(after_ack(show_checklist))
    app.action(ids.ADOPT)(after_ack(start_adopting))
