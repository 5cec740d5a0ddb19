"""Checklist: the decision's checklist with the verification commands, for the clicker alone."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.core.knowledge import PLUGIN_IDS
from bot.slack import render
from bot.slack.actions.clicked import Click
from bot.slack.cards import send_ephemeral
from bot.slack.deps import advisor_of


def show_checklist(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    advisor = advisor_of(context)
    click = Click(body, action)
    decision = click.decision(advisor)
    if decision is None:
        return
    result = decision.result
    plugin = result.get("plugin")
    title = (
        advisor.plugin_names[plugin]
        if plugin
        else " and ".join(advisor.plugin_names[p] for p in PLUGIN_IDS)
    )
    message = render.message(
        "slack/checklist.json.j2",
        title=title,
        items=result["checklist"],
        cite=render.citer(result["sources"]),
    )
    send_ephemeral(click.response_url, message)
