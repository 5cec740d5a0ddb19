"""The "Plan cluster network" global shortcut: the questionnaire; the card goes to the user's DM
with the bot (a global shortcut has no channel)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.deps import advisor_of
from bot.slack.modal import build_modal


def open_plan_modal(shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    advisor = advisor_of(context)
    view = build_modal(advisor.kb, metadata={"dm": True})
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)
