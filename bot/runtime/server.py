"""The HTTP server: Starlette + uvicorn in front of Bolt's synchronous App.

    web = create_web_app(bolt_app)          # POST /slack/events, GET /healthz /readyz /metrics,
                                            # POST /preflight/report (bot/runtime/reports.py)
    server = serve_in_thread(web, port=0)   # tests, benchmark: 127.0.0.1, ephemeral port
    server.url; server.stop()
    GracefulServer(uvicorn_config(web, host, port), on_signal=...).run()   # netplugin serve

Bolt's dispatch is synchronous. Slack's stock Starlette adapter for the sync App calls it on the
event loop; here it runs in anyio's worker threads, so one slow request (a busy SQLite, say)
never stalls the others. The listeners ack in the request thread and defer their
work (bot/runtime/app.py), so a dispatch is a millisecond or so.

Nothing reads a request before it is known to be Slack's: the body is read as it arrives, under
a cap (MAX_BODY, declared or sent: 413) and a deadline (READ_SECONDS: 408); its signature is
checked on the raw bytes (401); only then is it parsed and its envelope checked
(bot/runtime/admission.py: 400). Each refusal is one log line, without the body. Bolt, the
ack-first gate (bot/slack/ackfirst.py) and the request tracking (bot/runtime/tracking.py) see
signed Slack payloads only. uvicorn's httptools protocol gets a deadline for each request's
head (HttpWithDeadline): a slow or silent client is disconnected. A /netplugin question is
acknowledged on the event loop itself (bot/runtime/quickack.py).

Health, readiness and metrics routes: bot/runtime/health.py. Shutdown (SIGTERM):
bot/runtime/lifecycle.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import anyio.to_thread
import uvicorn
from slack_bolt import App
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.runtime import admission
from bot.runtime.admission import Signature
from bot.runtime.bodies import READ_SECONDS, TooLarge, read_capped
from bot.runtime.health import HEALTH_PATH, health_routes
from bot.runtime.metrics import Observability
from bot.runtime.quickack import QuickAck
from bot.runtime.reports import report_routes
from bot.runtime.tracking import ObservedApp
from bot.slack import ids

MAX_BODY = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd
# After SIGTERM, in-flight HTTP requests get this long; then the lazy work drains
# (bot/runtime/lifecycle.py), all within Kubernetes' 30 s grace period.
GRACEFUL_HTTP_SECONDS = 8

TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"


def _refusal(status: int, error: str, *, close: bool = False) -> Response:
    # 413 and 408 close the connection: the rest of that body is not read.
    headers = {"connection": "close"} if close else None
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def create_web_app(
    bolt_app: App,
    *,
    events_path: str = ids.EVENTS_PATH,
    health_path: str = HEALTH_PATH,
    max_body: int = MAX_BODY,
    read_seconds: float = READ_SECONDS,
    signing_secret: str | None = None,
) -> ASGIApp:
    """POST `events_path` for Slack: the body is read under `max_body` and `read_seconds`, its
    signature checked on the raw bytes (with `signing_secret`, by default the app's), then it is
    parsed and dispatched. A request refused before Bolt gets 413, 408, 401 or 400 and one log
    line (bot/runtime/metrics.py, `refused`); only signed Slack payloads reach Bolt's dispatch,
    and with it the ack-first gate and the request tracking."""
    secret = signing_secret if signing_secret is not None else bolt_app._signing_secret
    if not secret:
        raise ValueError("the Slack endpoint needs the app's signing secret (HTTP mode)")
    signature = Signature(secret)
    obs = getattr(bolt_app, "obs", None) or Observability()
    quick = QuickAck(bolt_app) if isinstance(bolt_app, ObservedApp) else None

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()

        def refuse(reason: str, status: int, problem: str | None = None) -> None:
            obs.refused(reason, events_path, status, started, problem)

        try:
            raw = await read_capped(request, max_body, read_seconds)
        except TooLarge:
            refuse("too_large", 413)
            return _refusal(413, "request too large", close=True)
        except TimeoutError:
            refuse("timeout", 408)
            return _refusal(408, "request timeout", close=True)
        except ClientDisconnect:
            refuse("disconnected", 400)
            return _refusal(400, "incomplete request", close=True)
        headers = request.headers
        if not signature.valid(raw, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)):
            refuse("signature", 401)
            return _refusal(401, "invalid request")
        header_lists: dict[str, list[str]] = {}
        for key, value in headers.items():
            header_lists.setdefault(key, []).append(value)
        try:
            query = request.scope["query_string"].decode("latin-1")
            bolt_request = admission.bolt_request(raw, header_lists, query)
        except admission.Malformed as exc:
            refuse("malformed", 400, str(exc))
            return _refusal(400, "malformed request")
        if quick is not None:
            answered = await quick.answer(bolt_request, started)
            if answered is not None:
                return answered
        bolt_response = await anyio.to_thread.run_sync(bolt_app.dispatch, bolt_request)
        response_headers = {
            k: v[0] if isinstance(v, list | tuple) else str(v)
            for k, v in bolt_response.headers.items()
            if k.lower() != "content-length"
        }
        return Response(
            content=bolt_response.body,
            status_code=bolt_response.status,
            headers=response_headers,
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes = [Route(events_path, slack_events, methods=["POST"])]
    if getattr(bolt_app, "health", None) is not None:  # built by build_app: readiness, metrics
        routes += health_routes(bolt_app)
        routes += report_routes(bolt_app)  # preflight reports from the nodes
    else:
        routes.append(Route(health_path, healthz, methods=["GET"]))
    web = Starlette(routes=routes)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        """Slack's POSTs go straight to their endpoint, past Starlette's middleware and router
        (a tenth of an ack's CPU under a burst: bench/ack_latency.py); all else through them."""
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == events_path:
            response = await slack_events(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await web(scope, receive, send)

    return app


class HttpWithDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with one more timeout: from the moment a connection opens,
    or the first byte of a new request on a kept-alive one, the request's head must arrive
    within `head_seconds`, or the connection is closed. uvicorn has none: a client that sends
    nothing, or its headers a byte at a time, held its connection for ever. The same deadline
    ends a connection still sending the rest of a body after a 413. (The body's own deadline is
    the endpoint's: a 408. Idle kept-alive connections close after `timeout_keep_alive`.)

    httptools (llhttp, in C), not h11: at 20 simultaneous requests on 2 cores, h11's parsing in
    Python was a third of the ack's CPU (bench/ack_latency.py)."""

    head_seconds = READ_SECONDS
    _head_timer: asyncio.TimerHandle | None = None
    _head_of: object = None  # the request cycle current when the timer was armed

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._await_head()  # the first byte of the next request
        super().data_received(data)
        if self._head_timer is not None and self.cycle is not self._head_of:
            self._stop_waiting()  # its head has arrived

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_of = self.cycle
        self._head_timer = self.loop.call_later(self.head_seconds, self._head_late)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.cycle is self._head_of and not self.transport.is_closing():
            self.transport.close()


def http_with_deadline(head_seconds: float) -> type[HttpWithDeadline]:
    return type("HttpWithDeadline", (HttpWithDeadline,), {"head_seconds": head_seconds})


def uvicorn_config(
    web_app: ASGIApp, host: str, port: int, *, read_seconds: float = READ_SECONDS
) -> uvicorn.Config:
    return uvicorn.Config(
        web_app,
        host=host,
        port=port,
        http=http_with_deadline(read_seconds),
        access_log=False,
        proxy_headers=False,  # nothing reads a client's address: no middleware for it
        log_level="warning",
        log_config=None,  # uvicorn's records go to the root logger: JSON lines (logs.py)
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=GRACEFUL_HTTP_SECONDS,
    )


class GracefulServer(uvicorn.Server):
    """uvicorn's server, with `on_signal` called at SIGTERM/SIGINT (readiness turns 503), and
    without re-raising the signal after its graceful shutdown: the process goes on to drain the
    lazy work and close the database, then exits 0."""

    def __init__(self, config: uvicorn.Config, on_signal: Callable[[], None] | None = None):
        super().__init__(config)
        self.on_signal = on_signal

    def handle_exit(self, sig: int, frame: object) -> None:
        super().handle_exit(sig, frame)  # type: ignore[arg-type]
        if self.on_signal is not None:
            self.on_signal()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()  # shut down gracefully: nothing to re-raise


@dataclass
class RunningServer:
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout: float = 5) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host`:`port` (an IPv6 address for a host with a colon), for
    uvicorn to listen on. Bound here, not by uvicorn, so that an address in use or not this
    machine's is an OSError the caller can say in words (uvicorn logs it and exits 1)."""
    # IPPROTO_TCP named, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # sockets whose proto says TCP. Without it each answer on a kept-alive connection waited
    # for the client's delayed ACK between its head and its body: 40 ms a request.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # `::`, `::1`: IPv6
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve_in_thread(
    web_app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    read_seconds: float = READ_SECONDS,
) -> RunningServer:
    """Run `web_app` under uvicorn in a daemon thread (port 0: an ephemeral port)."""
    sock = listening_socket(host, port)
    config = uvicorn_config(web_app, host, sock.getsockname()[1], read_seconds=read_seconds)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.005)
    return RunningServer(server, thread, host, sock.getsockname()[1])
