"""/netplugin [subcommand | question]: the first word picks a subcommand, else it is a question."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.grammar import read_question
from bot.slack.commands.question import answer_question, record_question
from bot.slack.commands.request import SlashRequest
from bot.slack.commands.subcommands import SUBCOMMANDS
from bot.slack.deps import advisor_of


def ack_netplugin(
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """A valid question is logged before the ack (nothing acknowledged is ever lost); all else
    (subcommands, invalid input) is answered after it."""
    request = SlashRequest(advisor_of(context), client, command, respond, logger)
    word, _, _ = request.text.strip().partition(" ")
    if word.lower() not in SUBCOMMANDS:
        parsed = read_question(request.text, request.advisor.kb)
        if not parsed.problems:
            record_question(request, parsed)
    ack()


def answer_netplugin(
    command: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    request = SlashRequest(advisor_of(context), client, command, respond, logger)
    word, _, rest = request.text.strip().partition(" ")
    handler = SUBCOMMANDS.get(word.lower())
    if handler is not None:
        handler(request, rest.strip())
    else:
        answer_question(request, request.text)
