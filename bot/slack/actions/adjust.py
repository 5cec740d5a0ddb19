"""Adjust answers: the questionnaire again, pre-filled with the decision's plan; the new card
goes to the same channel and names this decision as its parent."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.plan import plan_from_json
from bot.decisions import Decision
from bot.slack.actions.clicked import Click, on_decision
from bot.slack.deps import Advisor
from bot.slack.modal import build_modal
from bot.slack.payload import visibility


@on_decision
def adjust_answers(advisor: Advisor, click: Click, decision: Decision, client: WebClient) -> None:
    plan = plan_from_json(advisor.kb, decision.plan)
    channel_name = (click.body.get("channel") or {}).get("name")
    metadata: dict[str, Any] = {"parent": decision.id}
    if decision.visibility == "dm" and decision.channel is None:
        metadata["dm"] = True
    else:
        metadata["channel"] = click.channel
        metadata["visibility"] = visibility(click.channel, channel_name)
    if click.response_url:
        metadata["response_url"] = click.response_url
    view = build_modal(advisor.kb, metadata=metadata, plan=plan)
    client.views_open(trigger_id=click.body["trigger_id"], view=view)
