"""One /netplugin request, as the subcommand handlers see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.slack.deps import Advisor
from bot.slack.payload import visibility


@dataclass
class SlashRequest:
    advisor: Advisor
    client: WebClient
    command: dict[str, Any]  # the slash command payload, as Slack sent it
    respond: Respond

    @property
    def text(self) -> str:
        return self.command.get("text") or ""

    @property
    def channel(self) -> str | None:
        return self.command.get("channel_id")

    @property
    def user(self) -> str | None:
        return self.command.get("user_id")

    @property
    def team(self) -> str | None:
        return self.command.get("team_id")

    @property
    def trigger_id(self) -> str | None:
        return self.command.get("trigger_id")

    @property
    def response_url(self) -> str | None:
        return self.command.get("response_url")

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
