"""What a request to /slack/events must be before Bolt, or anything else, reads it.

    signature = Signature(secret)
    signature.valid(raw, timestamp, sig)     # Slack signed these bytes, less than 5 minutes ago
    req = bolt_request(raw, headers, query)  # a BoltRequest, or raises Malformed("actions: …")

The server (bot/runtime/server.py) reads the body under a cap and checks its signature on the raw
bytes; only then is it parsed, here. A body that is signed but not shaped like Slack's payloads
(not UTF-8, bad JSON, a JSON list, `"actions": 5`, `"event": "x"`) is refused before Bolt's
routing, its middleware or the tracking layer look into it: they index into these fields
without checking their types. The check covers the envelope (the fields Bolt and the request
helpers read to route a request), not what each listener makes of its content.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltContext, BoltRequest
from slack_bolt.request import payload_utils as payload
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; anything else is not Slack's


class RawSignatureVerifier(SignatureVerifier):
    """slack_sdk's verifier, hashing the raw bytes: it decodes them as UTF-8 first, and raises
    on a body that is not. Same signature for every UTF-8 body."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str | None:
        if not isinstance(body, bytes):
            return super().generate_signature(timestamp=timestamp, body=body)
        message = b"v0:" + timestamp.encode("ascii") + b":" + body
        digest = hmac.new(self.signing_secret.encode(), message, hashlib.sha256).hexdigest()
        return f"v0={digest}"


class Signature:
    """Slack's request signature, for any header values: a missing, non-numeric or huge
    timestamp, or a signature that is not ASCII, is not valid (SignatureVerifier would raise
    on them: `int("abc")`, `hmac.compare_digest` on non-ASCII text)."""

    def __init__(self, signing_secret: str):
        self.verifier = RawSignatureVerifier(signing_secret)

    def valid(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        if not timestamp or not signature or not signature.isascii():
            return False
        if not TIMESTAMP.fullmatch(timestamp):
            return False
        return self.verifier.is_valid(body, timestamp, signature)


class Malformed(ValueError):
    """A signed body that is not a Slack payload; the message names what is wrong (a field and
    the type it should have), never the body's content."""


# --- the envelope's shape ------------------------------------------------------------------

_NONE = type(None)
TEXT = (str, _NONE)  # ids, names, timestamps, text: JSON strings (or null)


class Fields:
    """An object whose listed fields, when present, have these shapes; `required` must be."""

    def __init__(self, required: Sequence[str] = (), nullable: bool = False, **shapes: Any):
        self.required = tuple(required)
        self.nullable = nullable
        self.shapes = shapes


class ListOf:
    def __init__(self, item: Any, non_empty: bool = False):
        self.item = item
        self.non_empty = non_empty


class MapOf:
    def __init__(self, value: Any):
        self.value = value


class Either:
    def __init__(self, *shapes: Any):
        self.shapes = shapes


OBJECT = Fields()
OPTION = Fields(value=TEXT)
MESSAGE = Fields(
    ts=TEXT, thread_ts=TEXT, text=TEXT, user=TEXT, bot_id=TEXT, subtype=TEXT,
    blocks=ListOf(OBJECT), metadata=OBJECT,
)  # fmt: skip
STATE = Fields(values=MapOf(MapOf(OBJECT)))
ACTION = Fields(
    action_id=TEXT, block_id=TEXT, type=TEXT, value=TEXT, action_ts=TEXT,
    selected_option=Fields(nullable=True, value=TEXT), selected_options=ListOf(OPTION),
)  # fmt: skip
VIEW = Fields(
    required=("type",), type=str, id=TEXT, callback_id=TEXT, private_metadata=TEXT, hash=TEXT,
    team_id=TEXT, app_id=TEXT, root_view_id=TEXT, previous_view_id=TEXT, external_id=TEXT,
    app_installed_team_id=TEXT, state=STATE, blocks=ListOf(OBJECT),
)  # fmt: skip
# Some event types carry the channel, the team or the user as an object (channel_created,
# team_join, user_change): either is accepted.
EVENT = Fields(
    required=("type",), type=str, text=TEXT, ts=TEXT, thread_ts=TEXT, event_ts=TEXT,
    bot_id=TEXT, subtype=TEXT, channel_type=TEXT, channel=Either(TEXT, OBJECT),
    team=Either(TEXT, OBJECT), user=Either(TEXT, OBJECT), message=MESSAGE,
    previous_message=MESSAGE, blocks=ListOf(OBJECT),
)  # fmt: skip
NAMED = Fields(nullable=True, id=TEXT, name=TEXT, domain=TEXT, enterprise_id=TEXT, team_id=TEXT)
AUTHORIZATION = Fields(
    enterprise_id=TEXT, team_id=TEXT, user_id=TEXT,
    is_bot=(bool, _NONE), is_enterprise_install=(bool, str, _NONE),
)  # fmt: skip

PAYLOAD = Fields(
    type=TEXT, token=TEXT, command=TEXT, text=TEXT, trigger_id=TEXT, response_url=TEXT,
    callback_id=TEXT, action_id=TEXT, block_id=TEXT, api_app_id=TEXT, event_id=TEXT,
    user_id=TEXT, user_name=TEXT, channel_id=TEXT, channel_name=TEXT, team_id=TEXT,
    team_domain=TEXT, enterprise_id=TEXT, challenge=TEXT,
    is_enterprise_install=(bool, str, _NONE), is_ext_shared_channel=(bool, _NONE),
    team=Either(TEXT, NAMED), user=Either(TEXT, NAMED), channel=Either(TEXT, NAMED),
    enterprise=Either(TEXT, NAMED), actions=ListOf(ACTION), view=VIEW, event=EVENT,
    message=MESSAGE, container=OBJECT, state=STATE, authorizations=ListOf(AUTHORIZATION),
    response_urls=ListOf(OBJECT), workflow_step=OBJECT,
)  # fmt: skip
# Bolt reads the first action of these without looking: they must have one.
NEEDS_AN_ACTION = ("block_actions", "interactive_message")


def _expected(shape: Any) -> str:
    if isinstance(shape, Fields):
        return "an object"
    if isinstance(shape, ListOf):
        return "a list"
    if isinstance(shape, MapOf):
        return "an object"
    if isinstance(shape, Either):
        return " or ".join(_expected(s) for s in shape.shapes)
    names = {str: "a string", bool: "a boolean", _NONE: "null"}
    types = shape if isinstance(shape, tuple) else (shape,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def _fits(value: Any, shape: Any) -> bool:
    if isinstance(shape, Fields):
        return isinstance(value, dict) or (shape.nullable and value is None)
    if isinstance(shape, ListOf):
        return isinstance(value, list) and (bool(value) or not shape.non_empty)
    if isinstance(shape, MapOf):
        return isinstance(value, dict)
    if isinstance(shape, Either):
        return any(_fits(value, s) for s in shape.shapes)
    return isinstance(value, shape)


def shape_problem(value: Any, shape: Any = PAYLOAD, path: str = "body") -> str | None:
    """Where `value` departs from `shape` ("actions: a list expected"), or None."""
    if isinstance(shape, Either):
        fitting = [s for s in shape.shapes if _fits(value, s)]
        if not fitting:
            return f"{path}: {_expected(shape)} expected"
        return shape_problem(value, fitting[0], path)
    if not _fits(value, shape):
        return f"{path}: {_expected(shape)} expected"
    if isinstance(shape, Fields) and isinstance(value, dict):
        for name in shape.required:
            if name not in value:
                return f"{path}.{name}: missing"
        for name, inner in shape.shapes.items():
            if name in value:
                problem = shape_problem(value[name], inner, f"{path}.{name}")
                if problem:
                    return problem
    elif isinstance(shape, ListOf):
        for i, item in enumerate(value):
            problem = shape_problem(item, shape.item, f"{path}[{i}]")
            if problem:
                return problem
    elif isinstance(shape, MapOf):
        for item in value.values():
            problem = shape_problem(item, shape.value, f"{path}.*")
            if problem:
                return problem
    return None


# The envelope's fields that are never a string. A form body (a slash command: every value a
# string) needs no walk through the shapes: it is unfit only if it carries one of these.
_NEVER_TEXT = tuple(name for name, shape in PAYLOAD.shapes.items() if not _fits("", shape))


def _form_problem(body: dict[str, str]) -> str | None:
    """`shape_problem` for a body whose values are all strings, without the walk."""
    for name in _NEVER_TEXT:
        if name in body:
            return f"body.{name}: {_expected(PAYLOAD.shapes[name])} expected"
    return None


def envelope_problem(body: Any) -> str | None:
    """What makes a parsed body unfit for Bolt's routing, or None."""
    if not isinstance(body, dict):
        return "body: an object expected"
    if all(type(value) is str for value in body.values()):
        problem = _form_problem(body)
    else:
        problem = shape_problem(body)
    if problem:
        return problem
    if body.get("type") in NEEDS_AN_ACTION and "actions" in body and not body["actions"]:
        return "body.actions: at least one action expected"
    # Bolt reads the step of these (for every listener it tries) without looking.
    step = payload.is_workflow_step_edit(body) or payload.is_workflow_step_save(body)
    if step and "workflow_step" not in body:
        return "body.workflow_step: missing"
    return None


def _misread_form(text: str, content_type: str | None) -> dict[str, str] | None:
    """The fields of a form body that Bolt misread (see `bolt_request`), else None. Bolt parses
    every other body as this would: it is not parsed twice."""
    if "payload" not in text or content_type == "application/json" or text.startswith("{"):
        return None
    form = dict(parse_qsl(text, keep_blank_values=True))
    return form if "payload" not in form else None


def bolt_request(
    raw: bytes, headers: Mapping[str, Sequence[str]], query: str | None = None
) -> BoltRequest:
    """The BoltRequest for a body whose signature was checked; Malformed when it is not a Slack
    payload."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body: not UTF-8") from None
    try:
        # Bolt parses JSON or a form (with a `payload` field of JSON) and builds its context
        # from the result: any failure there is the body's.
        request = BoltRequest(body=text, query=query, headers=dict(headers))
        # Bolt takes any form body with the word "payload" in it for an interactive payload
        # ("/netplugin need NLB, payload size 1500" would reach no listener).
        form = _misread_form(text, request.content_type)
        if form is not None:
            request.body = form
            request.context = build_context(BoltContext({}), form)
    except Exception as exc:  # JSONDecodeError, AttributeError on a JSON list, …
        raise Malformed(f"body: unreadable ({type(exc).__name__})") from None
    problem = envelope_problem(request.body)
    if problem:
        raise Malformed(problem)
    return request
