"""A question in words or key=value: parse, recommend, log, then post the card in the channel.

The request is kept in the log before the ack (commands/netplugin.py); here, after the ack, the
decision is logged (which closes the request, in the same transaction), then the card posted
once however often the request comes (bot/slack/asking.py, the path an @mention takes too).
A restart finishes requests a killed process had acknowledged (bot/slack/recovery.py).
"""

from __future__ import annotations

from bot.core.grammar import ParsedQuestion, read_question
from bot.decisions import Asked
from bot.render.messages import problem_text
from bot.slack import render
from bot.slack.asking import decide_and_post
from bot.slack.commands.request import SlashRequest


def asked_by(request: SlashRequest, parsed: ParsedQuestion) -> Asked:
    """Who asked, where: once per request, the trigger_id being the request key."""
    return Asked(
        source="slash",
        raw_text=parsed.text,
        team=request.team,
        channel=request.channel,
        visibility=request.visibility,
        user=request.user,
        request_key=request.trigger_id,
    )


def answer_question(request: SlashRequest, text: str) -> None:
    advisor = request.advisor
    parsed = read_question(text, advisor.kb)
    if parsed.problems:  # nothing posted, no decision: the user alone sees why
        request.ephemeral(
            render.message(
                "slack/problems.json.j2",
                problems=[problem_text(p) for p in parsed.problems],
            )
        )
        if request.trigger_id:
            advisor.log.inbox.finish(request.trigger_id)
        return
    decide_and_post(
        advisor,
        request.client,
        parsed,
        asked_by(request, parsed),
        response_url=request.response_url,
    )
