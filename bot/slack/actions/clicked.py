"""A click on one of the card's buttons: which decision, where; `on_decision` gives every
button's work the decision it names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

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


OnDecision = Callable[[Advisor, Click, Decision, WebClient], None]


def on_decision(listener: OnDecision) -> Callable[..., None]:
    """A button's work, given the decision its value names; nothing more happens when the
    decision is gone or not visible from the clicker's channel (they have been told)."""

    def work(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        advisor = advisor_of(context)
        click = Click(body, action)
        decision = click.decision(advisor)
        if decision is not None:
            listener(advisor, click, decision, client)

    work.__name__ = work.__qualname__ = listener.__name__
    return work
