"""`/netplugin adopt <id> [cluster] [review-by=YYYY-MM-DD]`: the Adopt button, typed. Without a
cluster name it opens the Adopt modal; the same checks either way (bot/slack/adopting.py)."""

from __future__ import annotations

from bot.core.adopting import AdoptProblem, read_adopt
from bot.decisions.adoption import AdoptRefused
from bot.render.messages import say
from bot.slack import render
from bot.slack.adopting import adopt_and_announce, adopt_modal, refusal, today
from bot.slack.cards import notice
from bot.slack.commands.request import SlashRequest


def adopt_decision(request: SlashRequest, rest: str) -> None:
    advisor = request.advisor
    asked = read_adopt(rest, today())
    if isinstance(asked, AdoptProblem):
        request.ephemeral(notice(advisor, say(asked.code, **asked.params)))
        return
    decision = advisor.log.get(asked.decision_id)
    if decision is None or not decision.visible_from(request.channel):
        request.ephemeral(render.message("slack/not-found.json.j2", given=rest.split()[0]))
        return
    refused = refusal(request.client, decision, channel=request.channel, user=request.user)
    if refused is not None:
        request.ephemeral(notice(advisor, say(refused.code, **refused.params)))
        return
    if asked.cluster is None:
        view = adopt_modal(advisor, decision, response_url=request.response_url)
        request.client.views_open(trigger_id=request.trigger_id, view=view)
        return
    try:
        adoption = adopt_and_announce(
            advisor,
            request.client,
            decision,
            cluster=asked.cluster,
            by=request.user or "",
            review_by=asked.review_by,
        )
    except AdoptRefused as exc:
        request.ephemeral(notice(advisor, say(exc.code, **exc.params)))
        return
    if not adoption.adopted:
        request.ephemeral(
            notice(advisor, say("adopt-already", id=decision.id, cluster=asked.cluster))
        )
