"""One /netplugin request, as the subcommand handlers see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.deps import Advisor
from bot.slack.payload import visibility


def _sent(name: str) -> Any:
    """A read-only attribute: the slash command payload's `name` (None when absent)."""
    return property(lambda self: self.command.get(name))


@dataclass
class SlashRequest:
    advisor: Advisor
    client: WebClient
    command: dict[str, Any]  # the slash command payload, as Slack sent it
    respond: Respond

    @property
    def text(self) -> str:
        return self.command.get("text") or ""

    # What Slack sent, by the payload's own names.
    channel = _sent("channel_id")
    user = _sent("user_id")
    team = _sent("team_id")
    trigger_id = _sent("trigger_id")
    response_url = _sent("response_url")

    @property
    def visibility(self) -> str:
        return visibility(self.channel, self.command.get("channel_name"))

    def ephemeral(self, message: dict[str, Any]) -> None:
        """Answer the user alone (response_url, response_type ephemeral)."""
        self.respond(
            text=message["text"],
            blocks=message["blocks"],
            response_type="ephemeral",
            replace_original=False,
        )
