"""The fake Slack with Socket Mode, for the tests: a websocket server on 127.0.0.1 (ephemeral
port) beside bot/fakeslack's Web API. Only tests speak Socket Mode to the fake (the playground
and the benchmarks use HTTP), so it lives here, with its `websockets` dependency (the `test`
extra).

    with SocketModeSlack() as fake:                      # the Web API and the websocket
        ...                                              # the app calls apps.connections.open
        fake.socket.wait_for_connection(timeout=5)       # connected, "hello" sent
        envelope_id = fake.send_envelope("slash_commands", driver.slash_body("400 nodes"))
        ack = fake.wait_for_ack(envelope_id, timeout=3)  # {"envelope_id": …, "payload": …?}

The protocol as Slack speaks it: `apps.connections.open` (app-level token, `fake.app_token`)
hands out a single-use `ws://…/link?ticket=…` URL; on connect the server sends
`{"type": "hello", "num_connections", "debug_info", "connection_info": {"app_id"}}`; it pushes
envelopes `{"envelope_id", "type": "slash_commands" | "interactive" | "events_api", "payload",
"accepts_response_payload"}` (events also carry `retry_attempt`/`retry_reason`), and the client
acks each with `{"envelope_id", "payload"?}`. `disconnect(reason)` sends Slack's
`{"type": "disconnect", "reason": "refresh_requested" | "warning" | …}`. Keepalive pings and
pongs are the `websockets` library's (a ping every `ping_interval` seconds, and pongs to the
client's pings), as slack_sdk's clients expect.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.fakeslack import FakeSlack

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
LINK_PATH = "/link"


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    at: float = field(default_factory=time.monotonic)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            data |= {"retry_attempt": 0, "retry_reason": ""}
        return data


@dataclass
class Ack:
    """What the client sent back for an envelope: its id and, maybe, a response payload."""

    envelope_id: str
    payload: dict[str, Any] | None
    raw: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    at_perf: float = field(default_factory=time.perf_counter)  # for latency measurements


class SocketModeServer:
    """The websocket end of Socket Mode; `SocketModeSlack` starts one."""

    def __init__(
        self, *, host: str = "127.0.0.1", app_id: str = "A0NETPLUG", ping_interval: float = 20
    ):
        self.host = host
        self.app_id = app_id
        self.envelopes: dict[str, Envelope] = {}
        self.acks: dict[str, Ack] = {}
        self.received: list[dict[str, Any]] = []  # every text frame from clients, decoded
        self.connections: list[ServerConnection] = []  # open ones, oldest first
        self.connected_total = 0
        self._tickets: set[str] = set()
        self._changed = threading.Condition()
        self._server: Server = serve(
            self._session,
            host,
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=ping_interval,
            close_timeout=1,  # slack_sdk's built-in client never answers a close frame
        )
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    def start(self) -> SocketModeServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fakeslack-socket-mode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            open_now = list(self.connections)
        for connection in open_now:
            connection.close()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(5)

    def new_url(self) -> str:
        """A single-use URL, as apps.connections.open returns."""
        ticket = secrets.token_hex(16)
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://{self.host}:{self.port}{LINK_PATH}?ticket={ticket}&app_id={self.app_id}"

    # --- what a test does -------------------------------------------------------------------

    def wait_for_connection(self, timeout: float = 5, *, count: int = 1) -> ServerConnection:
        """Wait until `count` connections were made in all and one is open; the newest."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: self.connected_total >= count and self.connections, timeout
            ):
                raise TimeoutError(f"no Socket Mode connection within {timeout}s")
            return self.connections[-1]

    def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
    ) -> str:
        """Push an envelope on the newest open connection (as Slack picks one); its id."""
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type {kind!r}: one of {ENVELOPE_TYPES}")
        if accepts_response_payload is None:  # Slack: events never take a response payload
            accepts_response_payload = kind != "events_api"
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope = Envelope(envelope_id, kind, payload, accepts_response_payload)
        with self._changed:
            if not self.connections:
                raise ConnectionError("no Socket Mode client is connected")
            connection = self.connections[-1]
            self.envelopes[envelope.envelope_id] = envelope
        connection.send(json.dumps(envelope.to_json()))
        return envelope.envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 3) -> Ack:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise TimeoutError(f"envelope {envelope_id} not acknowledged within {timeout}s")
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's notice that it will close the connection; clients reconnect."""
        with self._changed:
            open_now = list(self.connections)
        for connection in open_now:
            with contextlib.suppress(ConnectionClosed):
                connection.send(json.dumps({"type": "disconnect", "reason": reason}))

    # --- the server -------------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        path, _, query = request.path.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        with self._changed:
            ticket = params.get("ticket", "")
            if path != LINK_PATH or ticket not in self._tickets:
                return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
            self._tickets.discard(ticket)  # single use, like Slack's
        return None

    def _session(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections.append(connection)
            self.connected_total += 1
            count = len(self.connections)
        try:
            connection.send(json.dumps(self._hello(count)))
            with self._changed:
                self._changed.notify_all()  # connected, hello sent
            for frame in connection:
                self._received(frame)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self.connections.remove(connection)
                self._changed.notify_all()

    def _hello(self, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": "applink-fakeslack",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _received(self, frame: str | bytes) -> None:
        try:
            data = json.loads(frame)
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        with self._changed:
            self.received.append(data)
            envelope_id = data.get("envelope_id")
            if isinstance(envelope_id, str) and envelope_id not in self.acks:
                self.acks[envelope_id] = Ack(envelope_id, data.get("payload"), data)
            self._changed.notify_all()


class SocketModeSlack(FakeSlack):
    """The fake Web API plus Socket Mode: `apps.connections.open`, with the app-level token
    only, hands out URLs of `socket`, the websocket server started and stopped with it."""

    def __init__(self, *args: Any, app_token: str = "xapp-1-A0NETPLUG-1-fake-app-token", **kw: Any):
        super().__init__(*args, **kw)
        self.app_token = app_token
        self.socket: SocketModeServer | None = None
        self.methods["apps.connections.open"] = self._apps_connections_open

    def start(self) -> SocketModeSlack:
        super().start()
        self.socket = SocketModeServer(host=self._httpd.server_address[0]).start()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.stop()
        super().stop()

    def credentials(self, method: str) -> tuple[str, tuple[str, ...]]:
        if method == "apps.connections.open":
            return self.app_token, ("connections:write",)
        return super().credentials(method)

    def send_envelope(self, kind: str, payload: dict[str, Any], **kwargs: Any) -> str:
        """Push an envelope ("slash_commands", "interactive", "events_api") to the connected
        app; its envelope_id. kwargs as for SocketModeServer.send_envelope."""
        return self._socket().send_envelope(kind, payload, **kwargs)

    def wait_for_ack(self, envelope_id: str, timeout: float = 3) -> Ack:
        """The app's ack of an envelope (with its response payload, if any)."""
        return self._socket().wait_for_ack(envelope_id, timeout)

    def _socket(self) -> SocketModeServer:
        if self.socket is None:
            raise RuntimeError("start the fake first")
        return self.socket

    def _apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self._socket().new_url()}
