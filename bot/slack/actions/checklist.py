"""Checklist: the decision's checklist with the verification commands, for the clicker alone."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.decisions import Decision
from bot.slack.actions.clicked import Click, on_decision
from bot.slack.cards import decision_checklist
from bot.slack.deps import Advisor


@on_decision
def show_checklist(advisor: Advisor, click: Click, decision: Decision, client: WebClient) -> None:
    click.tell(decision_checklist(advisor, decision))
