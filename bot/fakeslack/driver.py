"""Slack's side of the conversation: real payloads, signed, sent to the app over HTTP.

    driver = SlackDriver(app_url + "/slack/events", signing_secret, fake)
    driver.send_slash("400 ENS nodes, need NLB", channel="C0GENERAL", user="U0ALICE")
    driver.click(message, "netplugin-explain", user="U0ALICE")
    driver.submit(fake.workspace.views[view_id], {"q:nodes": "12"}, user="U0ALICE")

Slash commands are form-encoded; interactivity is a form with one `payload` field of JSON;
events are JSON. Each request carries X-Slack-Request-Timestamp and X-Slack-Signature made with
slack_sdk's SignatureVerifier, exactly as Slack signs them. The payloads alone
(`slash_body`, `block_action_payload`, …) are what Socket Mode puts in its envelopes.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.fakeslack.api import FakeSlack
from bot.fakeslack.workspace import Message, OpenView


@dataclass
class Sent:
    """What the app answered."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0  # seconds, request to full response

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    def __init__(
        self,
        url: str,
        signing_secret: str,
        fake: FakeSlack | None = None,
        *,
        team_id: str | None = None,
        api_app_id: str = "A0NETPLUG",
        timeout: float = 10,
    ):
        self.url = url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id or (fake.workspace.team_id if fake else "T0NETPLUG")
        self.api_app_id = api_app_id
        self.timeout = timeout
        self._seq = itertools.count(1)

    # --- signing and sending ----------------------------------------------------------------

    def headers(
        self, body: str, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret or self.signing_secret).generate_signature(
            timestamp=ts, body=body
        )
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        signed: bool = True,
        extra_headers: dict[str, str] | None = None,
    ) -> Sent:
        headers = {"Content-Type": content_type, **(extra_headers or {})}
        if signed:
            headers |= self.headers(body, timestamp=timestamp, secret=secret)
        request = urllib.request.Request(
            self.url, data=body.encode(), headers=headers, method="POST"
        )
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
                return Sent(
                    response.status, data, dict(response.headers), time.perf_counter() - start
                )
        except urllib.error.HTTPError as exc:
            data = exc.read()
            return Sent(exc.code, data, dict(exc.headers), time.perf_counter() - start)

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq)}.{time.time_ns() % 10**12}"

    def _response_url(self, channel: str | None, user: str | None) -> str:
        if self.fake is not None:
            return self.fake.response_url(channel, user)
        return "https://hooks.slack.test/commands/T0/1/none"

    def _channel_name(self, channel: str) -> str:
        if self.fake is not None and channel in self.fake.workspace.channels:
            return self.fake.workspace.channels[channel].channel_name
        return "directmessage" if channel.startswith("D") else "general"

    # --- slash commands ---------------------------------------------------------------------

    def slash_body(
        self,
        text: str,
        *,
        channel: str = "C0GENERAL",
        user: str = "U0ALICE",
        command: str = "/netplugin",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> dict[str, str]:
        return {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": "netplugin-test",
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url(channel, user),
            "trigger_id": trigger_id or self._id("T"),
        }

    def send_slash(self, text: str, **kwargs: Any) -> Sent:
        """A slash command, form-encoded like Slack's; kwargs as for `slash_body`, plus
        timestamp / secret / signed to forge or age the signature."""
        sign = {k: kwargs.pop(k) for k in ("timestamp", "secret", "signed") if k in kwargs}
        body = urlencode(self.slash_body(text, **kwargs))
        return self.post(body, "application/x-www-form-urlencoded", **sign)

    # --- interactivity ----------------------------------------------------------------------

    def send_interaction(self, payload: dict[str, Any], **sign: Any) -> Sent:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **sign)

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}

    def block_action_payload(
        self,
        action_id: str,
        *,
        value: str | None,
        channel: str,
        message_ts: str,
        user: str = "U0ALICE",
        block_id: str = "",
        message: dict[str, Any] | None = None,
        ephemeral: bool = False,
        action_ts: str | None = None,
    ) -> dict[str, Any]:
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "action_ts": action_ts or f"{time.time():.6f}",
        }
        return {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": self._id("T"),
            "team": {"id": self.team_id, "domain": "netplugin-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": self._channel_name(channel)},
            "message": message or {"type": "message", "ts": message_ts, "text": ""},
            "response_url": self._response_url(channel, user),
            "actions": [action],
        }

    def send_block_action(self, action_id: str, **kwargs: Any) -> Sent:
        """A button click; kwargs as for `block_action_payload`."""
        sign = {k: kwargs.pop(k) for k in ("timestamp", "secret", "signed") if k in kwargs}
        return self.send_interaction(self.block_action_payload(action_id, **kwargs), **sign)

    def click(self, message: Message, action_id: str, *, user: str = "U0ALICE", **kw: Any) -> Sent:
        """Click the button `action_id` of a message in the fake workspace."""
        for block in message.blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("action_id") == action_id:
                    return self.send_block_action(
                        action_id,
                        value=element.get("value"),
                        block_id=block.get("block_id", ""),
                        channel=message.channel,
                        message_ts=message.ts,
                        message=message.to_api(),
                        user=user,
                        **kw,
                    )
        raise LookupError(f"no button {action_id!r} in message {message.ts}")

    def view_submission_payload(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE"
    ) -> dict[str, Any]:
        submitted = {**view, "state": {"values": values}}
        return {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "netplugin-test"},
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "trigger_id": self._id("T"),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def send_view_submission(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE", **sign: Any
    ) -> Sent:
        """A modal submitted with `values` in Slack's view.state.values shape."""
        return self.send_interaction(self.view_submission_payload(view, values, user=user), **sign)

    def submit(
        self, view: OpenView | dict[str, Any], answers: dict[str, Any], *, user: str = "U0ALICE"
    ) -> Sent:
        """Fill a modal like a person: `answers` by block_id (text, a choice's value, or a list
        for checkboxes), the other inputs keep their initial values."""
        view = view.view if isinstance(view, OpenView) else view
        return self.send_view_submission(view, state_values(view, answers), user=user)

    def shortcut_payload(self, callback_id: str, *, user: str = "U0ALICE") -> dict[str, Any]:
        return {
            "type": "shortcut",
            "token": "deprecated-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": self.team_id, "domain": "netplugin-test"},
            "user": self._user(user),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self._id("T"),
        }

    def send_shortcut(self, callback_id: str, *, user: str = "U0ALICE", **sign: Any) -> Sent:
        return self.send_interaction(self.shortcut_payload(callback_id, user=user), **sign)

    # --- events -----------------------------------------------------------------------------

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **sign: Any,
    ) -> Sent:
        """An event_callback (JSON); with `retry_num`, Slack's retry headers."""
        body = json.dumps(
            {
                "token": "deprecated-verification-token",
                "team_id": self.team_id,
                "api_app_id": self.api_app_id,
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._seq):08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "team_id": self.team_id,
                        "user_id": self.fake.workspace.bot_user_id if self.fake else "U0NETBOT",
                        "is_bot": True,
                    }
                ],
            }
        )
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(body, "application/json", extra_headers=extra, **sign)


def state_values(view: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """view.state.values for `view`'s input blocks, as Slack builds it. `answers` by block_id:
    a text, a choice's value, or a list of them (checkboxes; for the others the last counts);
    an input with no answer keeps its initial value, an empty list holds nothing. A blank text
    or no choice is null; options are the view's own option objects."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or not block.get("block_id"):
            continue
        kind = element.get("type")
        given = answers.get(block["block_id"])
        chosen = None if given is None else [str(v) for v in _listed(given) if str(v)]
        state: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "radio_buttons"):
            option = element.get("initial_option")
            if chosen is not None:
                option = _option(element, chosen[-1]) if chosen else None
            state["selected_option"] = option
        elif kind == "checkboxes":
            options = element.get("initial_options") or []
            if chosen is not None:
                options = [_option(element, v) for v in chosen]
            state["selected_options"] = options
        elif kind == "datepicker":
            day = element.get("initial_date")
            if chosen is not None:
                day = chosen[-1] if chosen else None
            state["selected_date"] = day
        else:
            text = element.get("initial_value")
            if chosen is not None:
                text = chosen[-1] if chosen else None
            state["value"] = str(text) if text is not None and str(text).strip() else None
        values[block["block_id"]] = {element.get("action_id", ""): state}
    return values


def _listed(given: Any) -> list[Any]:
    return list(given) if isinstance(given, list | tuple) else [given]


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if str(option.get("value")) == value:
            return option
    raise LookupError(f"no option {value!r} in {element.get('action_id')}")
