"""A click on one of the card's buttons: which decision, where; `clicked` is every button
listener's first step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack.cards import notice, send_ephemeral
from bot.slack.deps import Advisor, advisor_of


@dataclass
class Click:
    body: dict[str, Any]
    action: dict[str, Any]

    @property
    def channel(self) -> str | None:
        container = self.body.get("container") or {}
        channel = self.body.get("channel") or {}
        return container.get("channel_id") or channel.get("id")

    @property
    def message_ts(self) -> str | None:
        container = self.body.get("container") or {}
        message = self.body.get("message") or {}
        return container.get("message_ts") or message.get("ts")

    @property
    def ephemeral(self) -> bool:
        return bool((self.body.get("container") or {}).get("is_ephemeral"))

    @property
    def response_url(self) -> str | None:
        return self.body.get("response_url")

    def decision(self, advisor: Advisor) -> Decision | None:
        """The decision named by the button's value; None (after telling the user) when it is
        not in the log or not visible from this channel."""
        value = str(self.action.get("value") or "")
        found = advisor.log.get(int(value)) if value.isdigit() else None
        if found is None or not found.visible_from(self.channel):
            send_ephemeral(self.response_url, notice(advisor, say("decision-missing", id=value)))
            return None
        return found


def clicked(
    body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> tuple[Advisor, Click, Decision] | None:
    """The advisor, the click and the decision its button names; None when the decision is
    gone or not visible here (the clicker has been told)."""
    advisor = advisor_of(context)
    click = Click(body, action)
    decision = click.decision(advisor)
    return None if decision is None else (advisor, click, decision)
