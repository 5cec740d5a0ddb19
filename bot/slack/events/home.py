"""The Home tab opened (`app_home_opened`, tab `home`): the viewer's Home is published again,
after the ack, on the viewer's own lane (bot/slack/ackfirst.py), so a slow or rate-limited
views.publish holds none of the shared workers. Once per event, however often Slack retries it
(X-Slack-Retry-Num: the same event_id); a publish that failed lets a retry try again. What is
shown, and to whom: bot/slack/home.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.deps import advisor_of
from bot.slack.home import publish_home_later

HOME_TAB = "home"  # app_home_opened also comes for the Messages and About tabs


def home_opened(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    user = event.get("user")
    if event.get("tab") != HOME_TAB or not isinstance(user, str) or not user:
        return
    advisor = advisor_of(context)
    event_id = body.get("event_id")
    key = f"event:{event_id}" if event_id else None
    if key is not None and not advisor.log.claims.claim(key):
        return  # a retry of an event already answered
    release = (lambda: advisor.log.claims.release(key)) if key is not None else None
    publish_home_later(advisor, client, user, failed=release)
