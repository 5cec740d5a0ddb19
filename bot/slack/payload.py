"""Facts read from Slack payloads: where a request came from and who may see its decision."""

from __future__ import annotations

from typing import Any

from bot.decisions.store import Visibility


def visibility(channel_id: str | None, channel_name: str | None = None) -> Visibility:
    """public | private | dm | unknown, from a channel id and the name Slack sends with it.

    Slash commands and button clicks send `channel_name`: `directmessage` for a DM,
    `privategroup` for a private channel, `mpdm-…` for a group DM. IDs: D… is a DM, G… a
    (legacy) private channel or group DM; C… is public unless the name says otherwise."""
    name = (channel_name or "").lower()
    cid = channel_id or ""
    if name == "directmessage" or cid.startswith("D"):
        return "dm"
    if name == "privategroup" or name.startswith("mpdm-") or cid.startswith("G"):
        return "private"
    if cid.startswith("C"):
        return "public"
    return "unknown"


# An event's `channel_type` (message events carry it), as a decision's visibility.
CHANNEL_TYPES: dict[str, Visibility] = {
    "channel": "public",
    "group": "private",
    "mpim": "private",
    "im": "dm",
}


def event_visibility(event: dict[str, Any]) -> Visibility:
    """Who may see a decision asked in an event's channel. Message events say the channel's type;
    an app_mention does not, and a C… id may be a private channel: then `unknown`, so that the
    decision is shown only where it was made (Decision.visible_from)."""
    kind = CHANNEL_TYPES.get(str(event.get("channel_type") or ""))
    if kind is not None:
        return kind
    guessed = visibility(event.get("channel"))
    return "unknown" if guessed == "public" else guessed


def team_id(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id")
    return body.get("team_id") or team


def user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id") or user
