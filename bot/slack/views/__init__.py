"""view_submission: wiring only."""

from __future__ import annotations

from slack_bolt import App

from bot.slack import ids
from bot.slack.ack import after_ack
from bot.slack.views.adopt_submitted import adopt_submitted, check_adoption
from bot.slack.views.plan_submitted import answer_plan, check_answers


def register(app: App) -> None:
    app.view(ids.PLAN_MODAL)(after_ack(answer_plan, ack=check_answers))
    app.view(ids.ADOPT_MODAL)(after_ack(adopt_submitted, ack=check_adoption))
