"""The card and the answers around it, with the fallbacks Slack needs.

Posting the card, once per decision, is bot/slack/posting.py's. When Slack says no, the user is
told here: `tell_user` answers them alone (ephemeral, through the request's response_url, else
in a DM); `notice` is the one-line message, optionally followed by the card (the invite hint
when the bot is not in the channel).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.decisions import Decision
from bot.render.environment import render_json
from bot.render.messages import say
from bot.slack import render
from bot.slack.deps import Advisor
from bot.slack.verified import preflight_command, verified_lines

log = logging.getLogger(__name__)

NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}


LIFECYCLE = ("state", "cluster", "adopted_by", "adopted_at", "review_by", "supersedes")


def card_message(advisor: Advisor, decision: Decision) -> dict:
    return render.card(
        decision.result,
        decision_id=decision.id,
        plugin_names=advisor.plugin_names,
        asked=decision.raw_text,
        user=decision.user,
        lifecycle={
            **decision.model_dump(include=set(LIFECYCLE)),
            "superseded_by": decision.superseded_by,
        },
    )


def decision_checklist(advisor: Advisor, decision: Decision, *, token: str | None = None) -> dict:
    """A decision's checklist as decided, titled with its plugin (both plugins when none was
    recommended), with what preflight reports verified on real hosts: for the Checklist button
    and for `checklist` in the card's thread. With `token` (the Checklist button: the clicker
    alone sees it), the preflight command that reports to this decision."""
    result = decision.result
    plugin = result.get("plugin")
    names = [advisor.plugin_names[plugin]] if plugin else list(advisor.plugin_names.values())
    title = say("checklist-title", names=names)
    return render.checklist(
        title,
        result["checklist"],
        result.get("sources", {}),
        verified=verified_lines(advisor, decision),
        command=preflight_command(advisor, decision, token) if token else None,
    )


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
    except (SlackClientError, OSError) as exc:
        log.warning("could not reach user %s either: %s", user, error_code(exc))
        return False
