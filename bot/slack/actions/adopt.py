"""The Adopt button: who clicked may adopt this decision here? Then the modal that asks which
cluster (and a review-by date)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack.actions.clicked import Click, on_decision
from bot.slack.adopting import adopt_modal, refusal
from bot.slack.cards import notice
from bot.slack.deps import Advisor


@on_decision
def start_adopting(advisor: Advisor, click: Click, decision: Decision, client: WebClient) -> None:
    refused = refusal(client, decision, channel=click.channel, user=click.user)
    if refused is not None:
        click.tell(notice(advisor, say(refused.code, **refused.params)))
        return
    trigger = click.body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        click.tell(notice(advisor, say("request-incomplete", part="trigger_id")))
        return
    view = adopt_modal(advisor, decision, response_url=click.response_url)
    client.views_open(trigger_id=trigger, view=view)
