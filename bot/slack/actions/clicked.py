"""A click on one of the card's buttons: which decision, where, by whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack.cards import notice, send_ephemeral
from bot.slack.deps import Advisor
from bot.slack.payload import user_id


@dataclass
class Click:
    body: dict[str, Any]
    action: dict[str, Any]

    @property
    def user(self) -> str | None:
        return user_id(self.body)

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
