"""A question in words or key=value: parse, recommend, log, then post the card in the channel."""

from __future__ import annotations

from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.render import slack as render
from bot.render.messages import problem_text
from bot.slack.cards import post_card
from bot.slack.commands.request import SlashRequest


def answer_question(request: SlashRequest, text: str) -> None:
    advisor = request.advisor
    parsed = read_question(text, advisor.kb)
    if parsed.problems:  # nothing posted, nothing logged: the user alone sees why
        request.ephemeral(
            render.message(
                "slack/problems.json.j2",
                advisor.templates,
                problems=[problem_text(p) for p in parsed.problems],
            )
        )
        return
    result = recommend(parsed.plan, advisor.kb, parsed.understood).to_json()
    decision, created = advisor.log.record(
        result=result,
        source="slash",
        raw_text=parsed.text,
        team=request.team,
        channel=request.channel,
        visibility=request.visibility,
        user=request.user,
        request_key=request.trigger_id,
    )
    if not created and decision.message_ts:
        return  # the same request again: its card is already there
    post_card(
        advisor,
        request.client,
        decision=decision,
        channel=request.channel,
        user=request.user,
        response_url=request.response_url,
    )
