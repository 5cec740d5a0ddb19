"""After a crash: post the cards of decisions that were logged (so acknowledged) but never
posted, because the process died between the ack and chat.postMessage.

Only recent ones: Slack users expect an answer within minutes, and a response_url lives 30.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.slack.cards import post_card
from bot.slack.deps import Advisor

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=30)


def post_unposted(advisor: Advisor, client: WebClient, window: timedelta = WINDOW) -> int:
    """Post every unposted card logged within `window`; returns how many were posted."""
    since = (datetime.now(UTC) - window).isoformat(timespec="milliseconds")
    posted = 0
    for decision in advisor.log.unposted(since):
        if decision.channel is None and decision.user is None:
            continue  # nowhere to post it
        if post_card(
            advisor, client, decision=decision, channel=decision.channel, user=decision.user
        ):
            posted += 1
    if posted:
        log.info("posted %d card(s) left unposted by the previous run", posted)
    return posted
