"""Checklist: the decision's checklist with the verification commands, what preflight reports
verified on real hosts, and the preflight command with the decision's token, for the clicker
alone (a member of the channel the card is in: the token lets reports about it in)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.decisions import Decision
from bot.decisions.database import LogUnavailable
from bot.decisions.preflight import token_for
from bot.slack.actions.clicked import Click, on_decision
from bot.slack.cards import decision_checklist
from bot.slack.deps import Advisor

log = logging.getLogger(__name__)


@on_decision
def show_checklist(advisor: Advisor, click: Click, decision: Decision, client: WebClient) -> None:
    try:
        token: str | None = token_for(advisor.log, decision.id)
    except LogUnavailable:  # the key is still to be made and the log takes no write now
        log.warning("no preflight token for decision %s: the log is unavailable", decision.id)
        token = None
    click.tell(decision_checklist(advisor, decision, token=token))
