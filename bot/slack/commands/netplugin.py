"""/netplugin [subcommand | question]: the first word picks a subcommand, else it is a question.

The command is the hot path (people type it and wait), so it does not use Bolt's lazy
listeners: those deep-copy the whole request (its WebClient, its context) in the request thread
and dispatch it a second time. Here the listener acks and hands the payload, the client and
`respond` to the app's executor directly; see docs/slack.md, "Performance".
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.commands.question import answer_question
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
    """A question is kept in the decision log before the ack (one small insert): once Slack
    has its 200, the request survives the process being killed, and a restart answers it.
    The answer follows on the executor."""
    advisor = advisor_of(context)
    word, _, _ = (command.get("text") or "").strip().partition(" ")
    key = command.get("trigger_id")
    if word.lower() not in SUBCOMMANDS and key:
        kept = {k: v for k, v in command.items() if k != "token"}  # no verification token
        advisor.log.accept(key, "slash", kept)
    ack()
    request = SlashRequest(advisor, client, command, respond, logger)
    if advisor.executor is None:
        answer_netplugin(request)
    else:
        advisor.executor.submit(answer_netplugin, request)


def answer_netplugin(request: SlashRequest) -> None:
    word, _, rest = request.text.strip().partition(" ")
    handler = SUBCOMMANDS.get(word.lower())
    if handler is not None:
        handler(request, rest.strip())
    else:
        answer_question(request, request.text)
