"""/netplugin [subcommand | question]: the first word picks a subcommand, else it is a question."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.commands.question import answer_question
from bot.slack.commands.request import SlashRequest
from bot.slack.commands.subcommands import SUBCOMMANDS
from bot.slack.deps import advisor_of


def keep_question(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """The ack: a question is kept in the decision log first (one small insert), so that once
    Slack has its 200 the request survives the process being killed; a restart answers it."""
    word, _, _ = (command.get("text") or "").strip().partition(" ")
    key = command.get("trigger_id")
    if word.lower() not in SUBCOMMANDS and key:
        kept = {k: v for k, v in command.items() if k != "token"}  # no verification token
        advisor_of(context).log.inbox.accept(key, "slash", kept)
    ack()


def answer_netplugin(
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    request = SlashRequest(advisor_of(context), client, command, respond)
    word, _, rest = request.text.strip().partition(" ")
    handler = SUBCOMMANDS.get(word.lower())
    if handler is not None:
        handler(request, rest.strip())
    else:
        answer_question(request, request.text)
