"""The fake workspace: channels with messages and threads, users, ephemeral messages, open views.

Plain dataclasses, public on purpose: tests read them, and the playground will draw them.
IDs look like Slack's: T… team, C… channel, D… DM, U… user, V… view; a ts is the time it was
made, like Slack's ("1767225600.000100": seconds and microseconds), unique and increasing.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    id: str
    name: str


@dataclass
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None  # set on replies (and on a parent once it has replies)
    metadata: dict[str, Any] | None = None  # message metadata: {"event_type", "event_payload"}

    def to_api(self, *, metadata: bool = False) -> dict[str, Any]:
        """The message as the Web API shows it; its metadata only when asked (Slack's
        conversations.history gives it with include_all_metadata)."""
        data: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.blocks:
            data["blocks"] = self.blocks
        if self.user:
            data["user"] = self.user
        if self.bot_id:
            data["bot_id"] = self.bot_id
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if metadata and self.metadata:
            data["metadata"] = self.metadata
        return data


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    im_user: str | None = None  # the other member of a DM
    members: set[str] = field(default_factory=set)
    messages: list[Message] = field(default_factory=list)  # top level, oldest first
    threads: dict[str, list[Message]] = field(default_factory=dict)  # parent ts → replies

    def message(self, ts: str) -> Message | None:
        for m in self.messages:
            if m.ts == ts:
                return m
        for replies in self.threads.values():
            for m in replies:
                if m.ts == ts:
                    return m
        return None

    def thread(self, ts: str) -> list[Message]:
        return list(self.threads.get(ts, []))

    @property
    def channel_name(self) -> str:
        """The name Slack sends in payloads: directmessage, privategroup or the name."""
        if self.is_im:
            return "directmessage"
        return "privategroup" if self.is_private else self.name


@dataclass
class Ephemeral:
    """A message only `user` sees: an answer to a response_url, or (in the playground) a slash
    command's ack or a notice from Slackbot."""

    channel: str | None
    user: str | None
    text: str
    blocks: list[dict[str, Any]]
    via: str  # "response_url", "ack" or "slackbot"
    ts: str


@dataclass
class OpenView:
    id: str
    user: str | None
    trigger_id: str | None
    view: dict[str, Any]
    hash: str


@dataclass
class ResponseUrl:
    id: str
    channel: str | None
    user: str | None
    posts: list[dict[str, Any]] = field(default_factory=list)


# The bot user's display name, as the manifest names it (templates/messages.yaml `bot-name`;
# the playground passes that; tests/test_bot_name.py checks this default against it).
BOT_NAME = "NetPlugin Advisor"


class Workspace:
    """One team: the bot, users and channels. Every mutation holds `lock`."""

    def __init__(
        self,
        team_id: str = "T0NETPLUG",
        team_name: str = "netplugin-test",
        bot_name: str = BOT_NAME,
    ):
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = "U0NETBOT"
        self.bot_id = "B0NETBOT"
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, OpenView] = {}
        self.homes: dict[str, dict[str, Any]] = {}  # user → the App Home view published for them
        self.ephemeral: list[Ephemeral] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0  # microseconds
        self.add_user(bot_name, user_id=self.bot_user_id)
        self.add_user("alice", user_id="U0ALICE")
        self.add_user("bob", user_id="U0BOB")
        self.add_channel("general", channel_id="C0GENERAL")
        self.add_channel("platform", channel_id="C0PLATFORM", private=True)
        self.add_channel("random", channel_id="C0RANDOM", bot_member=False)

    @property
    def bot_name(self) -> str:
        """The bot user's display name: what a mention of the bot shows."""
        return self.users[self.bot_user_id].name

    # --- ids --------------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08X}"

    def new_ts(self) -> str:
        """Now, in microseconds; one more than the last ts when the clock has not moved on."""
        with self.lock:
            self._last_ts = max(time.time_ns() // 1000, self._last_ts + 1)
            return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    # --- building ---------------------------------------------------------------------------

    def add_user(self, name: str, *, user_id: str | None = None) -> User:
        with self.lock:
            user = User(id=user_id or self.new_id("U"), name=name)
            self.users[user.id] = user
            return user

    def add_channel(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        private: bool = False,
        bot_member: bool = True,
    ) -> Channel:
        with self.lock:
            channel = Channel(id=channel_id or self.new_id("C"), name=name, is_private=private)
            channel.members = set(self.users) - ({self.bot_user_id} if not bot_member else set())
            self.channels[channel.id] = channel
            return channel

    def open_im(self, user: str) -> Channel:
        with self.lock:
            for channel in self.channels.values():
                if channel.is_im and channel.im_user == user:
                    return channel
            channel = Channel(
                id=self.new_id("D"),
                name=user,
                is_im=True,
                im_user=user,
                members={user, self.bot_user_id},
            )
            self.channels[channel.id] = channel
            return channel

    # --- messages ---------------------------------------------------------------------------

    def post(
        self,
        channel_id: str,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        user: str | None = None,
        bot: bool = False,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        with self.lock:
            channel = self.channels[channel_id]
            message = Message(
                channel=channel_id,
                ts=self.new_ts(),
                text=text,
                blocks=list(blocks or []),
                user=self.bot_user_id if bot else user,
                bot_id=self.bot_id if bot else None,
                thread_ts=thread_ts,
                metadata=metadata,
            )
            if thread_ts:
                channel.threads.setdefault(thread_ts, []).append(message)
                parent = channel.message(thread_ts)
                if parent is not None and parent.thread_ts is None:
                    parent.thread_ts = parent.ts
            else:
                channel.messages.append(message)
            return message

    def add_ephemeral(
        self,
        *,
        channel: str | None,
        user: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None,
        via: str,
    ) -> Ephemeral:
        with self.lock:
            item = Ephemeral(channel, user, text, list(blocks or []), via, self.new_ts())
            self.ephemeral.append(item)
            return item

    def ephemeral_for(self, user: str) -> list[Ephemeral]:
        return [e for e in self.ephemeral if e.user == user]

    def new_response_url(self, channel: str | None, user: str | None) -> ResponseUrl:
        with self.lock:
            entry = ResponseUrl(id=self.new_id("R"), channel=channel, user=user)
            self.response_urls[entry.id] = entry
            return entry
