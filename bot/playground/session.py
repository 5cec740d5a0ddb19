"""The playground's stack and what a person on the page can do in it.

Started in this order: the fake Slack Web API (bot/fakeslack) on an ephemeral port; the real
Bolt app from `build_app`, its WebClient pointed at the fake, with a signing secret and a bot
token generated for this run; the real HTTP endpoint (bot/runtime/server.py) on another
ephemeral port (the page over it, bot/playground/web.py, comes with `bot.playground.Playground`).
A message typed on the page goes to the app as Slack would send it (a signed slash command,
`message` / `app_mention` events); a click is a block_actions payload; a modal's form is a
view_submission; opening the Home tab is `app_home_opened`. What the app answers lands in the
fake workspace through the Web API and response_urls, and the page draws that workspace.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.fakeslack.driver import state_values
from bot.fakeslack.workspace import Channel, Message, OpenView, Workspace
from bot.render.messages import say
from bot.runtime.app import build_app
from bot.runtime.server import RunningServer, create_web_app, serve_in_thread
from bot.settings import Settings
from bot.slack import ids

DEFAULT_DB = "playground.db"
HOST = "127.0.0.1"
DRAIN_SECONDS = 3.0  # at stop, the app's lazy work gets this long (within podman's 10 s)
USER = "U0ALICE"  # the person at the keyboard
SLACKBOT = "slackbot"  # `via` of the notices Slack itself shows (a command that failed)

# Which Events API subscription delivers a channel's messages (Slack's event names).
_MESSAGE_SUBSCRIPTION = {
    "channel": "message.channels",
    "group": "message.groups",
    "im": "message.im",
}
_NAME = re.compile(r"(?<![\w<@#])([@#])([a-z0-9][a-z0-9._-]*)", re.I)


@dataclass
class Outcome:
    """What the page shows after an action: nothing, an error line, or a modal's new HTML."""

    ok: bool = True
    error: str | None = None
    modal_closed: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": self.ok}
        if self.error:
            data["error"] = self.error
        if self.modal_closed:
            data["modal_closed"] = True
        return data


@dataclass
class Draft:
    """A modal the app refused (response_action: errors): what was typed, and the errors."""

    values: dict[str, Any]
    errors: dict[str, str]
    version: int = 0


@dataclass
class Stack:
    db: str | Path = DEFAULT_DB
    port: int = 3000
    host: str = HOST
    user: str = USER
    fake: FakeSlack = field(init=False)
    log: DecisionLog = field(init=False)
    app: Any = field(init=False)  # the Bolt app from build_app
    server: RunningServer = field(init=False)
    page: RunningServer = field(init=False)
    driver: SlackDriver = field(init=False)
    closed_views: set[str] = field(init=False, default_factory=set)
    drafts: dict[str, Draft] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)  # closed, drafts

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> Stack:
        secret = secrets.token_hex(16)  # made up for this run: nothing real is ever needed
        self.fake = FakeSlack(
            Workspace(bot_name=say("bot-name")),
            host=self.host,
            bot_token=f"xoxb-playground-{secrets.token_hex(8)}",
        )
        self.fake.start()
        try:
            settings = Settings(
                slack_bot_token=self.fake.bot_token,
                slack_signing_secret=secret,
                slack_app_token=None,
                slack_api_url=self.fake.api_url,
                netplugin_db=str(self.db),
            )
            self.log = DecisionLog(str(self.db))
            self.app = build_app(settings, log=self.log)
            self.server = serve_in_thread(create_web_app(self.app), self.host)
            self.driver = SlackDriver(self.server.url + ids.EVENTS_PATH, secret, self.fake)
            self.serve_page()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, drain_seconds: float = DRAIN_SECONDS) -> bool:
        """The page first (nothing new comes in), then the app's work under way (a card being
        posted reaches the fake), the app's endpoint, the fake, the decision log (closed, its WAL
        checkpointed). True when no lazy work was left behind."""
        running = getattr(self, "page", None)
        if running is not None:
            running.stop()
        drained = True
        if getattr(self, "app", None) is not None:
            drained = self.app.executor.drain(drain_seconds)
        running = getattr(self, "server", None)
        if running is not None:
            running.stop()
        if getattr(self, "fake", None) is not None:
            self.fake.stop()
        if getattr(self, "log", None) is not None:
            self.log.close()
        return drained

    def serve_page(self) -> None:
        """The page, in bot.playground.Playground; a bare stack has none."""

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def workspace(self):
        return self.fake.workspace

    # --- typing in the message box ----------------------------------------------------------

    def send(self, channel: str, text: str, thread_ts: str | None = None) -> Outcome:
        """What a person types: `/command …` is a slash command, anything else a message."""
        if channel not in self.workspace.channels:
            return Outcome(False, say("pg-no-channel", channel=channel))
        stripped = text.strip()
        if not stripped:
            return Outcome(False, say("pg-nothing-to-send"))
        if stripped.startswith("/"):
            return self.slash(channel, stripped)
        return self.message(channel, stripped, thread_ts)

    def slash(self, channel: str, typed: str) -> Outcome:
        command, _, rest = typed.partition(" ")
        if command != ids.COMMAND:
            self._slackbot(channel, say("pg-unknown-command", command=command, ours=ids.COMMAND))
            return Outcome()
        sent = self.driver.send_slash(
            rest.strip(), channel=channel, user=self.user, command=command
        )
        if sent.status != 200:
            self._slackbot(channel, say("pg-command-failed", command=command, status=sent.status))
            return Outcome()
        self._show_ack(channel, sent.body)
        return Outcome()

    def message(self, channel_id: str, typed: str, thread_ts: str | None = None) -> Outcome:
        """Post the message as the user, then deliver the events Slack would deliver to the
        app: `message` when the app subscribes to that channel type's messages, `app_mention`
        when it mentions the bot, and neither in a channel the bot is not a member of."""
        ws = self.workspace
        channel = ws.channels[channel_id]
        if thread_ts and channel.message(thread_ts) is None:
            return Outcome(False, say("pg-no-thread"))
        text = self.encode(typed)
        posted = ws.post(channel_id, text=text, user=self.user, thread_ts=thread_ts or None)
        for event in self.events_for(channel, posted):
            sent = self.driver.send_event(event)
            if sent.status != 200:
                return Outcome(
                    False, say("pg-event-failed", status=sent.status, type=event["type"])
                )
        return Outcome()

    def encode(self, typed: str) -> str:
        """Typed text as Slack's client sends it: & < > escaped, `@name` and `#channel` of the
        workspace turned into `<@U…>` and `<#C…|name>`. A name of several words is typed as it
        is shown (`@NetPlugin Advisor`) or with hyphens (`@netplugin-advisor`)."""
        ws = self.workspace
        text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        users = {u.name.lower(): u.id for u in ws.users.values()}
        users |= {name.replace(" ", "-"): uid for name, uid in users.items()}
        channels = {c.name.lower(): c.id for c in ws.channels.values() if not c.is_im}
        spaced = sorted((n for n in users if " " in n), key=len, reverse=True)
        if spaced:
            words = "|".join(re.escape(n) for n in spaced)
            text = re.sub(
                rf"(?<![\w<@#])@({words})(?![\w-])",
                lambda m: f"<@{users[m.group(1).lower()]}>",
                text,
                flags=re.I,
            )

        def mention(m: re.Match[str]) -> str:
            sigil, name = m.group(1), m.group(2)
            if sigil == "@" and name.lower() in users:
                return f"<@{users[name.lower()]}>"
            if sigil == "#" and name.lower() in channels:
                return f"<#{channels[name.lower()]}|{name.lower()}>"
            return m.group(0)

        return _NAME.sub(mention, text)

    def events_for(self, channel: Channel, message: Message) -> list[dict[str, Any]]:
        ws = self.workspace
        if ws.bot_user_id not in channel.members:
            return []
        kind = "im" if channel.is_im else "group" if channel.is_private else "channel"
        base: dict[str, Any] = {
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "channel": channel.id,
            "event_ts": message.ts,
            "team": ws.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if message.thread_ts:
            base["thread_ts"] = message.thread_ts
            parent = channel.message(message.thread_ts)
            if parent is not None and parent.user:
                base["parent_user_id"] = parent.user
        events = []
        subscribed = set(ids.EVENTS)
        if ids.APP_MENTION in subscribed and f"<@{ws.bot_user_id}>" in message.text:
            events.append({"type": "app_mention", **base})
        if _MESSAGE_SUBSCRIPTION[kind] in subscribed:
            events.append({"type": "message", **base, "channel_type": kind})
        return events

    # --- clicking ---------------------------------------------------------------------------

    def click(
        self, channel: str, ts: str, action_id: str, block_id: str = "", ephemeral: bool = False
    ) -> Outcome:
        """A button of a message (or of an ephemeral message) clicked: block_actions."""
        found = self._find(channel, ts, ephemeral)
        if found is None:
            return Outcome(False, say("pg-message-gone"))
        blocks, message = found
        element = _button(blocks, action_id, block_id)
        if element is None:
            return Outcome(False, say("pg-no-button", action_id=action_id))
        sent = self.driver.send_block_action(
            action_id,
            value=element.get("value"),
            block_id=block_id,
            channel=channel,
            message_ts=ts,
            user=self.user,
            message=message,
            ephemeral=ephemeral,
        )
        if sent.status != 200:
            self._slackbot(channel, say("pg-click-failed", status=sent.status))
        return Outcome()

    def _find(
        self, channel_id: str, ts: str, ephemeral: bool
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None] | None:
        ws = self.workspace
        with ws.lock:
            if ephemeral:
                for item in ws.ephemeral:
                    if item.ts == ts and item.user == self.user:
                        return list(item.blocks), None  # Slack sends no message for these
                return None
            channel = ws.channels.get(channel_id)
            message = channel.message(ts) if channel else None
            if message is None:
                return None
            return list(message.blocks), message.to_api()

    def shortcut(self) -> Outcome:
        """The global shortcut (⚡ Plan cluster network)."""
        sent = self.driver.send_shortcut(ids.PLAN_SHORTCUT, user=self.user)
        return (
            Outcome() if sent.status == 200 else Outcome(False, say("pg-http", status=sent.status))
        )

    # --- the app's Home tab -----------------------------------------------------------------

    def home(self) -> dict[str, Any] | None:
        """The Home view the app last published for the user (views.publish), or None."""
        with self.workspace.lock:
            return self.workspace.homes.get(self.user)

    def open_home(self) -> Outcome:
        """The user opens the app's Home tab: Slack sends `app_home_opened` (tab `home`), with
        the view published before, if any, and the app's DM with the user, if there is one (the
        playground opens none: it would appear in the sidebar)."""
        ws = self.workspace
        event: dict[str, Any] = {
            "type": ids.APP_HOME_OPENED,
            "user": self.user,
            "tab": "home",
            "event_ts": ws.new_ts(),
        }
        with ws.lock:
            dm = next(
                (c.id for c in ws.channels.values() if c.is_im and c.im_user == self.user), None
            )
            published = ws.homes.get(self.user)
        if dm is not None:
            event["channel"] = dm
        if published is not None:
            event["view"] = published
        sent = self.driver.send_event(event)
        if sent.status != 200:
            return Outcome(False, say("pg-event-failed", status=sent.status, type=event["type"]))
        return Outcome()

    # --- modals -----------------------------------------------------------------------------

    def open_view(self) -> OpenView | None:
        """The modal on top: the latest view opened and not closed yet."""
        with self.workspace.lock, self._lock:
            views = [v for v in self.workspace.views.values() if v.id not in self.closed_views]
        return views[-1] if views else None

    def modal_key(self) -> str:
        """Changes whenever the page must draw the modal again."""
        view = self.open_view()
        if view is None:
            return ""
        with self._lock:
            draft = self.drafts.get(view.id)
        return f"{view.id}:{view.hash}:{draft.version if draft else 0}"

    def submit(self, view_id: str, form: Mapping[str, Sequence[str]]) -> Outcome:
        """The modal's form submitted: a view_submission with Slack's view.state.values. The
        app answers `response_action: errors` (the modal stays, with each error under its
        input) or an empty ack (the modal closes)."""
        opened = self.workspace.views.get(view_id)
        if opened is None or view_id in self.closed_views:
            return Outcome(False, say("pg-modal-closed"), modal_closed=True)
        values = state_from_form(opened.view, form)
        sent = self.driver.send_view_submission(opened.view, values, user=self.user)
        if sent.status != 200:
            return Outcome(False, say("pg-connection-trouble"))
        answer = _json(sent.body)
        if answer.get("response_action") == "errors":
            errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
            with self._lock:
                old = self.drafts.get(view_id)
                self.drafts[view_id] = Draft(values, errors, (old.version if old else 0) + 1)
            return Outcome()
        return self.close_view(view_id)

    def close_all_views(self) -> None:
        """Every modal closed at once (a clean page: the browser test starts each test so)."""
        with self.workspace.lock, self._lock:
            self.closed_views.update(self.workspace.views)
            self.drafts.clear()

    def close_view(self, view_id: str) -> Outcome:
        """Cancel, ×, or a submission the app accepted: the modal closes (the app's modal does
        not ask to hear of it: no notify_on_close)."""
        if view_id not in self.workspace.views:
            return Outcome(modal_closed=True)
        with self._lock:
            self.closed_views.add(view_id)
            self.drafts.pop(view_id, None)
        return Outcome(modal_closed=self.open_view() is None)

    # --- notices ----------------------------------------------------------------------------

    def _show_ack(self, channel: str, body: bytes) -> None:
        """A slash command's ack with a message in it: Slack shows it (ephemeral by default)."""
        answer = _json(body)
        if not (answer.get("text") or answer.get("blocks")):
            return
        ws = self.workspace
        if answer.get("response_type") == "in_channel" and ws.bot_user_id in (
            ws.channels[channel].members
        ):
            ws.post(channel, text=answer.get("text") or "", blocks=answer.get("blocks"), bot=True)
        else:
            ws.add_ephemeral(
                channel=channel,
                user=self.user,
                text=answer.get("text") or "",
                blocks=answer.get("blocks"),
                via="ack",
            )

    def _slackbot(self, channel: str, text: str) -> None:
        self.workspace.add_ephemeral(
            channel=channel, user=self.user, text=text, blocks=None, via=SLACKBOT
        )


def state_from_form(view: dict[str, Any], form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """view.state.values from the modal's form (fields named by block_id): the form sends every
    input, so one it sends nothing for (no box checked) holds nothing, not its initial value."""
    answers = {
        block["block_id"]: list(form.get(block["block_id"], []))
        for block in view.get("blocks", [])
        if block.get("type") == "input" and block.get("block_id")
    }
    return state_values(view, answers)


def _button(blocks: list[dict[str, Any]], action_id: str, block_id: str) -> dict[str, Any] | None:
    for block in blocks:
        if block_id and block.get("block_id", "") != block_id:
            continue
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return element
    return None


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
