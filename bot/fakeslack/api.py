"""A fake Slack Web API on 127.0.0.1, over an in-memory Workspace.

    with FakeSlack() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        fake.fail_next("chat.postMessage", error="not_in_channel")
        fake.fail_next("chat.postMessage", status=429, retry_after=2, channel="C0GENERAL")
        started = fake.slow_next("chat.postMessage", 2.0)   # set when the slow call arrives
        held = fake.hold_next("chat.postMessage")  # done, then unanswered until held.release()
        fake.rate_limit("C0GENERAL", retry_after=20)         # 429 to every post there, until
        fake.lift_rate_limit("C0GENERAL")                    # … this
        fake.granted_scopes = ("chat:write",)                # x-oauth-scopes on every answer
        ...
        call = fake.wait_for("chat.postMessage", timeout=5)

Methods: the ones the app calls over HTTP (auth.test, chat.postMessage with message metadata,
chat.getPermalink, views.open, conversations.open, conversations.history and
conversations.replies with include_all_metadata: bot/slack/ids.METHOD_SCOPES); a subclass adds
more to `methods` and says which token each takes (`credentials`). Bodies may be form-encoded
or JSON, like Slack accepts, or a GET's query string; the token comes from the Authorization
header or the `token` field. Every call, failed or not, is recorded with its parameters and
headers. Answers to a valid token carry `x-oauth-scopes` (the granted scopes, by default every
scope the app asks for, bot/slack/ids.BOT_SCOPES), as Slack's do; any other token gets
`invalid_auth`.
Response URLs (`/response_url/<id>`) record what the app sends there. GET /_fake/calls gives the
record as JSON (for another process: a benchmark, a playground page). `python -m
bot.fakeslack` runs one until its standard input closes, printing its URL.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from bot.fakeslack.workspace import Channel, Message, OpenView, Workspace

JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
RESPONSE_URL = "response_url"  # the "method" name of response_url posts, for fail_next/wait_for


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    at_perf: float = field(default_factory=time.perf_counter)  # for latency measurements
    at_wall: float = field(default_factory=time.time)  # comparable across processes

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "response": self.response,
            "at": self.at_wall,
        }

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class Failure:
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    channel: str | None = None  # only a call to this channel (None: any)


@dataclass
class Hold:
    """A call answered only when released: the fake does its work (a post is in the channel),
    sets `reached`, then waits for `release()` (or `seconds`) before sending the answer. The
    client sees a slow call, a timeout, or (if its process is killed meanwhile) nothing."""

    seconds: float
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    call: Call | None = None

    def release(self) -> None:
        self.released.set()


class SlackError(Exception):
    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class FakeSlack:
    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_token: str = "xoxb-fake-bot-token",
        granted_scopes: tuple[str, ...] | None = None,
    ):
        from bot.slack.ids import BOT_SCOPES

        self.workspace = workspace or Workspace()
        self.bot_token = bot_token
        self.granted_scopes: tuple[str, ...] = (
            BOT_SCOPES if granted_scopes is None else tuple(granted_scopes)
        )
        self.calls: list[Call] = []
        self._failures: dict[str, deque[Failure]] = {}
        self._delays: dict[str, deque[tuple[float, threading.Event]]] = {}
        self._holds: dict[str, deque[Hold]] = {}
        self._holding: list[Hold] = []  # holds whose call is waiting for its release
        self._rate_limits: dict[str, int] = {}  # channel → Retry-After of chat.postMessage
        self._changed = threading.Condition()
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "chat.update": self._chat_update,
            "views.publish": self._views_publish,
        }

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release_holds()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test helpers -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        channel: str | None = None,
    ) -> None:
        """The next `times` calls of `method` fail: `{"ok": false, "error": error}` with HTTP
        `status` (429 sends Retry-After: `retry_after`; 5xx is a server error). With `channel`,
        only the calls to that channel (the others go through)."""
        if error is None:
            error = {429: "ratelimited"}.get(status, "fatal_error" if status >= 500 else "error")
        with self._changed:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(error, status, retry_after, channel) for _ in range(times))

    def rate_limit(self, channel: str, *, retry_after: int) -> None:
        """Every chat.postMessage to `channel` gets HTTP 429 with `Retry-After: retry_after`
        (nothing is posted) until `lift_rate_limit(channel)`."""
        with self._changed:
            self._rate_limits[channel] = retry_after

    def lift_rate_limit(self, channel: str) -> None:
        with self._changed:
            self._rate_limits.pop(channel, None)

    def hold_next(self, method: str, seconds: float = 30.0) -> Hold:
        """The next call of `method` is done (a post is posted, recorded in `calls`), then its
        answer is held until `release()` or `seconds`: a client that gives up first sees a
        timeout after the work was done, and a process killed meanwhile never learns its ts."""
        hold = Hold(seconds)
        with self._changed:
            self._holds.setdefault(method, deque()).append(hold)
        return hold

    def slow_next(self, method: str, seconds: float) -> threading.Event:
        """The next call of `method` is answered `seconds` late (then normally, or with the
        failure fail_next queued). The event returned is set when that call arrives."""
        arrived = threading.Event()
        with self._changed:
            self._delays.setdefault(method, deque()).append((seconds, arrived))
        return arrived

    def reset(self) -> None:
        """Forget recorded calls, pending failures, delays, holds and rate limits (the workspace
        stays); held answers are sent."""
        self._release_holds()
        with self._changed:
            self.calls.clear()
            self._failures.clear()
            self._delays.clear()
            self._holds.clear()
            self._rate_limits.clear()

    def _release_holds(self) -> None:
        with self._changed:
            holds = [hold for queue in self._holds.values() for hold in queue]
            holds += self._holding
        for hold in holds:
            hold.release()

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self,
        method: str,
        *,
        timeout: float = 5,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
        ok: bool | None = True,
    ) -> Call:
        """Wait until `count` calls of `method` (successful ones unless ok=None/False, matching
        `where`) are recorded; return the last. Raises TimeoutError naming what was seen."""
        deadline = time.monotonic() + timeout

        def matching() -> list[Call]:
            return [
                c
                for c in self.calls
                if c.method == method and (ok is None or c.ok == ok) and (where is None or where(c))
            ]

        with self._changed:
            while True:
                found = matching()
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.status, c.response.get("error")) for c in self.calls]
                    raise TimeoutError(f"no {count}× {method} within {timeout}s; calls: {seen}")
                self._changed.wait(left)

    def response_url(self, channel: str | None = None, user: str | None = None) -> str:
        """A new response_url the app can answer to (as Slack gives with each command)."""
        return f"{self.url}/response_url/{self.workspace.new_response_url(channel, user).id}"

    # --- HTTP -------------------------------------------------------------------------------

    def handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        url = urlsplit(path)
        query = dict(parse_qsl(url.query, True))  # a GET's arguments (conversations.history)
        params = {**query, **_decode(headers.get("content-type", ""), body)}
        parts = url.path.strip("/").split("/")
        if parts == ["_fake", "reset"]:
            self.reset()
            return 200, {}, {"ok": True}
        if len(parts) == 2 and parts[0] == "response_url":
            method = RESPONSE_URL
        elif len(parts) == 2 and parts[0] == "api":
            method = parts[1]
        else:
            return 404, {}, {"ok": False, "error": "unknown_path"}
        call = Call(method=method, params=params, headers=dict(headers))
        with self._changed:
            holds = self._holds.get(method)
            hold = holds.popleft() if holds else None
            if hold is not None:
                self._holding.append(hold)
        status, extra, response = self._answer(call, parts[-1], headers)
        call.status, call.response = status, response
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if hold is not None:
            hold.call = call
            hold.reached.set()
            hold.released.wait(hold.seconds)
            with self._changed:
                self._holding.remove(hold)
        return status, extra, response

    def _answer(
        self, call: Call, name: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._changed:
            delays = self._delays.get(call.method)
            delay = delays.popleft() if delays else None
        if delay is not None:
            delay[1].set()
            time.sleep(delay[0])
        failure = self._failure_for(call)
        if failure is not None:
            extra = {}
            if failure.retry_after is not None:
                extra["Retry-After"] = str(failure.retry_after)
            return failure.status, extra, {"ok": False, "error": failure.error}
        if call.method == RESPONSE_URL:
            return self._response_url_post(name, call.params)
        handler = self.methods.get(call.method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        token = token or str(call.params.get("token") or "")
        expected, granted = self.credentials(call.method)
        if token != expected:
            return 200, {}, {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        scopes = {"x-oauth-scopes": ",".join(granted)}
        try:
            return 200, scopes, {"ok": True, **handler(call.params)}
        except SlackError as exc:
            return 200, scopes, {"ok": False, "error": exc.error}

    def _failure_for(self, call: Call) -> Failure | None:
        """The first failure queued for this call (its method, and its channel if it names
        one), or a rate limit on the channel it posts to."""
        channel = call.params.get("channel")
        with self._changed:
            queue = self._failures.get(call.method) or deque()
            for failure in queue:
                if failure.channel is None or failure.channel == channel:
                    queue.remove(failure)
                    return failure
            if call.method == "chat.postMessage" and channel in self._rate_limits:
                return Failure("ratelimited", 429, self._rate_limits[channel], channel)
        return None

    def credentials(self, method: str) -> tuple[str, tuple[str, ...]]:
        """The token a call of `method` must carry, and the scopes its answer shows."""
        return self.bot_token, self.granted_scopes

    # --- Web API methods --------------------------------------------------------------------

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        return {
            "url": f"https://{ws.team_name}.slack.test/",
            "team": ws.team_name,
            "user": "netplugin-advisor",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _channel_for_post(self, channel: str | None) -> str:
        ws = self.workspace
        if not channel:
            raise SlackError("channel_not_found")
        if channel.startswith("U") and channel in ws.users:  # posting to a user: their DM
            return ws.open_im(channel).id
        found = ws.channels.get(channel)
        if found is None:
            raise SlackError("channel_not_found")
        if ws.bot_user_id not in found.members:
            raise SlackError("not_in_channel")
        return found.id

    def _chat_post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("text") and not p.get("blocks"):
            raise SlackError("no_text")
        channel = self._channel_for_post(p.get("channel"))
        thread_ts = p.get("thread_ts") or None
        if thread_ts and self.workspace.channels[channel].message(str(thread_ts)) is None:
            raise SlackError("thread_not_found")
        metadata = p.get("metadata")
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")
        message = self.workspace.post(
            channel,
            text=p.get("text") or "",
            blocks=p.get("blocks"),
            bot=True,
            thread_ts=str(thread_ts) if thread_ts else None,
            metadata=metadata,
        )
        return {"channel": channel, "ts": message.ts, "message": message.to_api(metadata=True)}

    def _readable_channel(self, p: dict[str, Any]) -> Channel:
        """The channel a history method reads: the bot must be in it, as with Slack."""
        ws = self.workspace
        found = ws.channels.get(str(p.get("channel") or ""))
        if found is None:
            raise SlackError("channel_not_found")
        if ws.bot_user_id not in found.members:
            raise SlackError("not_in_channel")
        return found

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first, between `oldest` and `latest` (exclusive unless
        `inclusive`), `limit` a page (default 100) with a cursor; metadata only with
        include_all_metadata. The bot must be in the channel, as with Slack."""
        found = self._readable_channel(p)
        with self.workspace.lock:
            messages = list(reversed(found.messages))
        return _page(messages, p)

    def _conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent (message `ts`) then its replies, oldest first, with the same
        window, paging and metadata as conversations.history."""
        found = self._readable_channel(p)
        ts = str(p.get("ts") or "")
        with self.workspace.lock:
            parent = found.message(ts)
            if parent is None:
                raise SlackError("thread_not_found")
            messages = [parent, *found.thread(ts)]
        return _page(messages, p)

    def _conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        """A channel's member ids, a page at a time (`limit`, `cursor`); a private channel only
        to its members, as with Slack."""
        found = self.workspace.channels.get(str(p.get("channel") or ""))
        if found is None or (found.is_private and self.workspace.bot_user_id not in found.members):
            raise SlackError("channel_not_found")
        with self.workspace.lock:
            members = sorted(found.members)
        try:
            limit = max(1, min(int(p.get("limit") or 100), 1000))
            start = int(str(p.get("cursor") or "0").removeprefix("next:"))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        more = start + limit < len(members)
        return {
            "members": members[start : start + limit],
            "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
        }

    def _conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        found = self.workspace.channels.get(str(p.get("channel") or ""))
        if found is None or (found.is_private and self.workspace.bot_user_id not in found.members):
            raise SlackError("channel_not_found")
        return {
            "channel": {
                "id": found.id,
                "name": found.name,
                "is_private": found.is_private,
                "is_im": found.is_im,
                **({"user": found.im_user} if found.is_im else {}),
            }
        }

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.workspace.users.get(str(p.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        profile = {"display_name": user.name, "real_name": user.name}
        return {
            "user": {"id": user.id, "name": user.name, "real_name": user.name, "profile": profile}
        }

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        """A message the bot posted, its text and blocks replaced."""
        ws = self.workspace
        found = ws.channels.get(str(p.get("channel") or ""))
        if found is None:
            raise SlackError("channel_not_found")
        ts = str(p.get("ts") or "")
        with ws.lock:
            message = found.message(ts)
            if message is None:
                raise SlackError("message_not_found")
            if message.bot_id != ws.bot_id:
                raise SlackError("cant_update_message")
            if not p.get("text") and not p.get("blocks"):
                raise SlackError("no_text")
            message.text = p.get("text") or ""
            message.blocks = p.get("blocks") or []
        return {"channel": found.id, "ts": ts, "text": message.text}

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        """A user's App Home: a `home` view, kept per user."""
        ws = self.workspace
        user = str(p.get("user_id") or "")
        view = p.get("view")
        if user not in ws.users:
            raise SlackError("user_not_found")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments")
        with ws.lock:
            published = _stored_view(ws.new_id("V"), view, ws.team_id)
            ws.homes[user] = published
        return {"view": published}

    def _chat_get_permalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.channels.get(p.get("channel") or "")
        ts = str(p.get("message_ts") or "")
        if channel is None or channel.message(ts) is None:
            raise SlackError("message_not_found")
        link = f"{self.url}/archives/{channel.id}/p{ts.replace('.', '')}"
        return {"channel": channel.id, "permalink": link}

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        view = p.get("view")
        if not isinstance(view, dict) or not view.get("blocks"):
            raise SlackError("invalid_arguments")
        ws = self.workspace
        with ws.lock:
            opened = _stored_view(ws.new_id("V"), view, ws.team_id)
            ws.views[opened["id"]] = _open_view(opened, p.get("trigger_id"))
        return {"view": opened}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users") or "").split(",")
        if len(users) != 1 or users[0] not in self.workspace.users:
            raise SlackError("user_not_found")
        channel = self.workspace.open_im(users[0])
        return {"channel": {"id": channel.id, "is_im": True, "user": users[0]}}

    def _response_url_post(
        self, url_id: str, p: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        ws = self.workspace
        entry = ws.response_urls.get(url_id)
        if entry is None:
            return 404, {}, {"ok": False, "error": "expired_url"}
        entry.posts.append(p)
        if p.get("response_type") == "in_channel" and entry.channel in ws.channels:
            ws.post(entry.channel, text=p.get("text") or "", blocks=p.get("blocks"), bot=True)
        else:
            ws.add_ephemeral(
                channel=entry.channel,
                user=entry.user,
                text=p.get("text") or "",
                blocks=p.get("blocks"),
                via=RESPONSE_URL,
            )
        return 200, {}, {"ok": True}


def _page(messages: list[Message], p: dict[str, Any]) -> dict[str, Any]:
    """One page of `messages` (in the order given) between `oldest` and `latest` (exclusive
    unless `inclusive`), `limit` a page (default 100) with a cursor; metadata only with
    include_all_metadata."""
    inclusive = _flag(p.get("inclusive"))
    oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
    try:
        limit = max(1, min(int(p.get("limit") or 100), 999))
        start = int(str(p.get("cursor") or "0").removeprefix("next:"))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    window = [
        m
        for m in messages
        if (oldest <= float(m.ts) <= latest if inclusive else oldest < float(m.ts) < latest)
    ]
    page = window[start : start + limit]
    more = start + limit < len(window)
    metadata = _flag(p.get("include_all_metadata"))
    return {
        "messages": [m.to_api(metadata=metadata) for m in page],
        "has_more": more,
        "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
    }


def _stored_view(view_id: str, view: dict[str, Any], team_id: str) -> dict[str, Any]:
    return {
        **view,
        "id": view_id,
        "team_id": team_id,
        "hash": f"{time.time_ns():x}",
        "state": {"values": {}},
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
    }


def _open_view(view: dict[str, Any], trigger_id: str | None) -> OpenView:
    return OpenView(id=view["id"], user=None, trigger_id=trigger_id, view=view, hash=view["hash"])


def _flag(value: Any) -> bool:
    """A boolean argument as clients send it: true, 1 or "true"/"1" (slack_sdk sends 1)."""
    return str(value).lower() in ("1", "true")


def _decode(content_type: str, body: bytes) -> dict[str, Any]:
    """Form or JSON, as Slack accepts; JSON-valued form fields (blocks, view) are decoded."""
    if not body:
        return {}
    if "json" in content_type:
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(body.decode(), True).items()}
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(params[name])
    return params


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if urlsplit(self.path).path != "/_fake/calls":
                self.do_POST()
                return
            with fake._changed:  # the record, for a process that cannot read fake.calls
                payload = json.dumps([c.to_json() for c in fake.calls]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, extra, response = fake.handle(self.path, headers, body)
            except Exception as exc:  # a bug in the fake: say so, loudly, as a 500
                status, extra, response = 500, {}, {"ok": False, "error": f"fake: {exc!r}"}
            payload = json.dumps(response).encode()
            with contextlib.suppress(ConnectionError):  # the client gave up (a held answer)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
