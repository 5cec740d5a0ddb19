"""Checklist: the decision's checklist with the verification commands, for the clicker alone."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.slack.actions.clicked import clicked
from bot.slack.cards import decision_checklist, send_ephemeral


def show_checklist(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    found = clicked(body, action, context)
    if found is None:
        return
    advisor, click, decision = found
    send_ephemeral(click.response_url, decision_checklist(advisor, decision))
