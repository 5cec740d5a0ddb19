"""Posting cards and answers, with the fallbacks Slack needs.

`post_card` logs nothing itself: the caller records the decision first, then posts, and the
card's ts and permalink are attached here. When Slack says no:

- `not_in_channel` / `channel_not_found`: the card goes back to the user alone (ephemeral,
  through the request's response_url, else in a DM) with how to invite the bot;
- anything else (after the WebClient's retries for 429, 5xx and connection errors): a clear
  message the same way. A failure is logged and never raised into Bolt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.decisions import Decision
from bot.render.environment import render_json
from bot.render.messages import say
from bot.slack import render
from bot.slack.deps import Advisor

log = logging.getLogger(__name__)

NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}


@dataclass
class Posted:
    channel: str
    ts: str
    permalink: str | None = None


def card_message(advisor: Advisor, decision: Decision) -> dict:
    return render.card(
        decision.result,
        decision_id=decision.id,
        plugin_names=advisor.plugin_names,
        asked=decision.raw_text,
        user=decision.user,
    )


def decision_checklist(advisor: Advisor, decision: Decision) -> dict:
    """A decision's checklist as decided, titled with its plugin (both plugins when none was
    recommended): for the Checklist button and for `checklist` in the card's thread."""
    result = decision.result
    plugin = result.get("plugin")
    names = [advisor.plugin_names[plugin]] if plugin else list(advisor.plugin_names.values())
    title = say("checklist-title", names=names)
    return render.checklist(title, result["checklist"], result.get("sources", {}))


def notice(advisor: Advisor, text: str, then: dict | None = None) -> dict:
    """A one-line notice, optionally followed by another message's blocks (the card)."""
    message = render_json("slack/notice.json.j2", text=text)
    if then is not None:
        message["blocks"] = render.fit_blocks([*message["blocks"], *then["blocks"]])
    return message


def error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        return str(data.get("error") or f"HTTP {exc.response.status_code}")
    return type(exc).__name__


def send_ephemeral(response_url: str | None, message: dict) -> bool:
    """Answer the user alone through a response_url; False when there is none (or what a
    malformed payload gave is not a URL) or it failed."""
    if not isinstance(response_url, str) or not response_url.startswith(("https://", "http://")):
        return False
    try:
        response = WebhookClient(response_url, timeout=10).send(
            text=message["text"],
            blocks=message["blocks"],
            response_type="ephemeral",
            replace_original=False,
        )
    except Exception:  # a response_url failure must not kill the listener
        log.exception("response_url failed")
        return False
    if response.status_code >= 400:
        log.warning("response_url answered HTTP %s", response.status_code)
        return False
    return True


def open_dm(client: WebClient, user: str) -> str:
    """The DM channel between the bot and `user` (conversations.open, scope im:write)."""
    return client.conversations_open(users=user)["channel"]["id"]


def tell_user(
    client: WebClient, *, user: str | None, response_url: str | None, message: dict
) -> bool:
    """Show `message` to the user alone: ephemeral through response_url, else in a DM."""
    if send_ephemeral(response_url, message):
        return True
    if not user:
        return False
    try:
        client.chat_postMessage(channel=open_dm(client, user), **message)
        return True
    except SlackClientError as exc:
        log.warning("could not reach user %s either: %s", user, error_code(exc))
        return False


def post_card(
    advisor: Advisor,
    client: WebClient,
    *,
    decision: Decision,
    channel: str | None,
    user: str | None,
    response_url: str | None = None,
) -> Posted | None:
    """Post the decision's card into `channel` (None: the user's DM with the bot), attach the
    message to the decision; on failure, show the user the card or a clear message."""
    message = card_message(advisor, decision)
    try:
        if channel is None:
            if not user:
                raise ValueError("a card for a DM needs the user")
            channel = open_dm(client, user)
        response = client.chat_postMessage(channel=channel, **message)
    except SlackApiError as exc:
        code = error_code(exc)
        log.warning("chat.postMessage to %s failed: %s", channel, code)
        if code in NOT_A_MEMBER:
            fallback = notice(advisor, say("invite-hint"), then=message)
        else:
            fallback = notice(advisor, say("post-failed", error=code))
        tell_user(client, user=user, response_url=response_url, message=fallback)
        return None
    except SlackClientError as exc:  # connection errors left after the retries
        code = error_code(exc)
        log.warning("chat.postMessage to %s failed: %s", channel, code)
        fallback = notice(advisor, say("post-failed", error=code))
        tell_user(client, user=user, response_url=response_url, message=fallback)
        return None
    posted = Posted(channel=response["channel"], ts=response["ts"])
    try:
        posted.permalink = client.chat_getPermalink(channel=posted.channel, message_ts=posted.ts)[
            "permalink"
        ]
    except SlackClientError as exc:  # the card is there; the link is a nicety
        log.info("chat.getPermalink failed: %s", error_code(exc))
    advisor.log.attach_message(
        decision.id, channel=posted.channel, ts=posted.ts, permalink=posted.permalink
    )
    return posted
