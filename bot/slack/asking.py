"""A question read from a person's words, decided once and its card posted once: the one path
of the slash command (commands/question.py) and of an @mention carrying a question
(events/mention.py).

The request was kept in the log before its ack; `decide` logs the decision and closes that
request in one transaction (a retry, a replica or a restart finds the decision by its request
key), then the card's posting is claimed, so it is posted once (bot/slack/posting.py).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.core.grammar import ParsedQuestion
from bot.decisions import Asked, Decision, decide
from bot.slack.deps import Advisor
from bot.slack.posting import post_card


def decide_and_post(
    advisor: Advisor,
    client: WebClient,
    parsed: ParsedQuestion,
    asked: Asked,
    *,
    response_url: str | None = None,
) -> Decision:
    """Log the decision for `parsed` (once per `asked.request_key`) and post its card into
    `asked.channel` (in `asked.thread_ts` when given), unless it is posted already."""
    decision, _ = decide(
        advisor.log,
        advisor.kb,
        parsed.plan,
        asked,
        understood=parsed.understood,
        unsure=parsed.unsure,
    )
    if decision.message_ts:
        return decision  # the same request again: its card is already there
    post_card(
        advisor,
        client,
        decision=decision,
        channel=asked.channel,
        user=asked.user,
        response_url=response_url,
    )
    return decision
