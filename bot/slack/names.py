"""Who and where, by name: the users and channels behind decisions, resolved from Slack
(users.info, conversations.info) and kept in the decision log (bot/decisions/names.py), so that
the ADR export and the CLI say alice and #general rather than U0ALICE and C0GENERAL.

    remember_names(advisor, client, user="U0ALICE", channel="C0GENERAL")

Called after a card is posted (bot/slack/posting.py) and when a decision is adopted. It returns
at once and never raises: the calls run on their own lane (one at a time, off the ack path,
off the shared workers and off the channels' lanes, so no card waits for a name), and only for
ids not resolved in the last 7 days (bot/decisions/names.py MAX_AGE). A call that fails (a
missing scope, a 429, a user or channel Slack will not show) keeps nothing: the id stands, and
the next card tries again. Safe from any listener thread.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.decisions import names
from bot.decisions.database import LogUnavailable
from bot.slack.calls import on_lane, quiet_client
from bot.slack.cards import error_code
from bot.slack.deps import Advisor

log = logging.getLogger(__name__)

LANE = "names:"  # the lane of name lookups (a channel's lane is its id, a DM's "dm:U…")


def remember_names(
    advisor: Advisor,
    client: WebClient,
    *,
    user: str | None = None,
    channel: str | None = None,
) -> bool:
    """Resolve `user` (a Slack user id) and `channel` (a conversation id) and keep their names,
    in the background. False when the bot is shutting down (nothing will be looked up)."""
    wanted: list[tuple[names.Kind, str]] = [
        (kind, id) for kind, id in (("user", user), ("channel", channel)) if id
    ]
    if not wanted:
        return True
    quiet = quiet_client(client)

    def job() -> None:
        for kind, id in wanted:
            try:
                _remember(advisor, quiet, kind, id)
            except Exception:  # a name is a nicety: it never breaks anything else
                log.exception("resolving the name of %s %s failed", kind, id)

    return on_lane(advisor, LANE, job)


def _remember(advisor: Advisor, client: WebClient, kind: names.Kind, id: str) -> None:
    if not names.is_stale(names.get(advisor.log, id)):
        return
    try:
        name = user_name(client, id) if kind == "user" else channel_name(client, id)
    except (SlackClientError, OSError) as exc:
        log.info("no name for %s %s: %s", kind, id, error_code(exc))
        return
    try:
        names.put(advisor.log, id, kind=kind, name=name)
    except LogUnavailable as exc:
        log.info("the name of %s %s is not kept: %s", kind, id, exc)


def user_name(client: WebClient, user: str) -> str | None:
    """What Slack shows for a person: the display name, else the full name, else the handle."""
    found: dict[str, Any] = client.users_info(user=user)["user"] or {}
    profile = found.get("profile") or {}
    return (
        _text(profile.get("display_name"))
        or _text(found.get("real_name"))
        or _text(found.get("name"))
    )


def channel_name(client: WebClient, channel: str) -> str | None:
    """A channel's name; None for a DM, which has none."""
    found: dict[str, Any] = client.conversations_info(channel=channel)["channel"] or {}
    if found.get("is_im"):
        return None
    return _text(found.get("name"))


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
