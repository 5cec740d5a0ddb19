"""After a crash, finish what a killed process had acknowledged:

- requests kept before the ack but never decided (it died between the ack and the decision):
  decide them and post their cards (or thread replies), as their listeners would have: slash
  commands, questionnaires, replies in a card's thread, mentions carrying a question;
- cards never posted (it died between the decision and chat.postMessage), and cards it was
  posting when it died, with the outcome unknown: those are looked for in the channel (by their
  message metadata) before being posted (bot/slack/posting.py);
- preflight reports taken (and answered) but not yet said in their decision's thread.

Only recent ones: Slack users expect an answer within minutes, and a response_url lives 30.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.slack.commands.question import answer_question
from bot.slack.commands.request import SlashRequest
from bot.slack.deps import Advisor
from bot.slack.events.mention import answer_mention
from bot.slack.posting import resume_card
from bot.slack.reports import post_unposted_reports
from bot.slack.threads import answer_and_post, card_decision
from bot.slack.views.plan_submitted import post_plan

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=30)


def finish_acknowledged(advisor: Advisor, client: WebClient, window: timedelta = WINDOW) -> int:
    """Answer the requests and post the cards a killed process left; returns how many."""
    since = (datetime.now(UTC) - window).isoformat(timespec="milliseconds")
    finished = 0
    for key, kind, payload in advisor.log.inbox.pending(since):
        try:
            if kind == "slash":
                respond = Respond(response_url=payload.get("response_url"))
                request = SlashRequest(advisor, client, payload, respond)
                answer_question(request, request.text)
            elif kind == "modal":
                post_plan(advisor, client, payload["body"], payload["view"])
            elif kind == "thread" and (decision := card_decision(advisor, payload)) is not None:
                answer_and_post(advisor, client, decision, payload)
            elif kind == "mention":  # decided (closing the request) and its card posted, or told
                if not answer_mention(advisor, client, payload):
                    advisor.log.inbox.finish(key)
            else:
                advisor.log.inbox.finish(key)
            finished += 1
        except Exception:  # one bad request must not stop the others
            log.exception("could not finish request %s", key)
    return (
        finished
        + post_unposted(advisor, client, since)
        + post_unposted_reports(advisor, client, since)
    )


def post_unposted(advisor: Advisor, client: WebClient, since: str) -> int:
    """Post every card logged since `since` and left unposted by an earlier run (looking first
    for those it was posting); returns how many were taken on."""
    taken = 0
    for decision in advisor.log.unposted(since, advisor.run_id):
        if decision.channel is None and decision.user is None:
            continue  # nowhere to post it
        if resume_card(advisor, client, decision):
            taken += 1
    if taken:
        log.info("finishing %d card(s) left unposted by the previous run", taken)
    return taken
