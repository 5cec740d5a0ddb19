"""Who is in a channel, as Slack says (conversations.members): the Home tab shows a private
channel's decisions only to its members, and only members may adopt a decision where it was
made. Any failure is "not a member": nothing is shown, or allowed, on a guess."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.slack.cards import error_code

log = logging.getLogger(__name__)

MEMBERS_PAGE = 200  # conversations.members per call
MEMBERS_PAGES = 50  # 10,000 members at most are looked through; beyond, "not a member"

IsMember = Callable[[str], bool]


def members_of(client: WebClient, user: str) -> IsMember:
    """`is_member(channel)` for `user`: conversations.members, asked once per channel (the
    answer is kept for the life of the function, one publish). Any failure is "not a member"."""
    known: dict[str, bool] = {}

    def member(channel: str) -> bool:
        if channel not in known:
            known[channel] = in_channel(client, channel, user)
        return known[channel]

    return member


def in_channel(client: WebClient, channel: str, user: str) -> bool:
    """Whether `user` is in `channel`, looked up page by page; any failure is a no."""
    cursor = None
    try:
        for _ in range(MEMBERS_PAGES):
            page = client.conversations_members(channel=channel, limit=MEMBERS_PAGE, cursor=cursor)
            if user in (page.get("members") or []):
                return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False
    except (SlackClientError, OSError) as exc:
        log.info(
            "conversations.members of %s failed, taken as not a member: %s",
            channel,
            error_code(exc),
        )
    return False
