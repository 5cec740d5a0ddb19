"""/netplugin [subcommand | question]: the first word picks a subcommand, else it is a question."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.decisions.database import LogUnavailable
from bot.render.messages import say
from bot.slack.cards import notice
from bot.slack.commands.question import answer_question
from bot.slack.commands.request import SlashRequest
from bot.slack.commands.subcommands import SUBCOMMANDS
from bot.slack.deps import advisor_of

log = logging.getLogger(__name__)


# Set on a request's context by the server's quick ack (bot/runtime/quickack.py): True when it
# kept the question before answering Slack, or the LogUnavailable it met doing so.
KEPT = "netplugin_kept"


def question_to_keep(command: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(key, fields) of a /netplugin question, to keep in the decision log before its ack; None
    for a subcommand (it records nothing) or a command without a trigger_id to key it by."""
    word, _, _ = (command.get("text") or "").strip().partition(" ")
    key = command.get("trigger_id")
    if word.lower() in SUBCOMMANDS or not key:
        return None
    return key, {k: v for k, v in command.items() if k != "token"}  # no verification token


def keep_question(ack: Ack, command: dict[str, Any], context: BoltContext) -> bool:
    """The ack: a question is kept in the decision log first (one small insert), so that once
    Slack has its 200 the request survives the process being killed; a restart answers it.
    (Over HTTP the server has usually kept it already, and answered Slack: `KEPT`.)

    When the log cannot keep it in time (locked, read-only, full), or the command came without
    the response_url every answer needs, the ack itself says so to the user alone, and nothing
    follows (False)."""
    advisor = advisor_of(context)
    if not command.get("response_url"):
        log.warning("a /netplugin command without a response_url: answered in the ack")
        _answer_in_ack(ack, advisor, say("request-incomplete", part="response_url"))
        return False
    keep = question_to_keep(command)
    kept = context.get(KEPT)
    if keep is not None and kept is not True:
        try:
            if isinstance(kept, LogUnavailable):
                raise kept
            key, fields = keep
            advisor.log.inbox.accept(key, "slash", fields)
        except LogUnavailable as exc:
            log.warning("the decision log is unavailable, a question was refused: %s", exc)
            _answer_in_ack(ack, advisor, say("log-unavailable"))
            return False
    ack()
    return True


def _answer_in_ack(ack: Ack, advisor: Any, text: str) -> None:
    message = notice(advisor, text)
    ack(text=message["text"], blocks=message["blocks"], response_type="ephemeral")


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
