"""The HTTP server: Starlette + uvicorn in front of Bolt's synchronous App.

    web = create_web_app(bolt_app)          # POST /slack/events, GET /healthz /readyz /metrics
    server = serve_in_thread(web, port=0)   # tests, benchmark: 127.0.0.1, ephemeral port
    server.url; server.stop()
    GracefulServer(uvicorn_config(web, host, port), on_signal=...).run()   # netplugin serve

Bolt's dispatch is synchronous. Slack's stock Starlette adapter for the sync App calls it on the
event loop; here it runs in anyio's worker threads, so one slow request (a busy SQLite, say)
never stalls the others. The listeners ack in the request thread and defer their
work (bot/runtime/app.py), so a dispatch is a millisecond or so.

Health, readiness and metrics routes: bot/runtime/health.py. Shutdown (SIGTERM):
bot/runtime/lifecycle.py.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import anyio.to_thread
import uvicorn
from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.runtime.health import HEALTH_PATH, health_routes
from bot.slack import ids

MAX_BODY = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd
# After SIGTERM, in-flight HTTP requests get this long; then the lazy work drains
# (bot/runtime/lifecycle.py), all within Kubernetes' 30 s grace period.
GRACEFUL_HTTP_SECONDS = 8


def create_web_app(
    bolt_app: App, *, events_path: str = ids.EVENTS_PATH, health_path: str = HEALTH_PATH
) -> Starlette:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        headers: dict[str, list[str]] = {}
        for key, value in request.headers.items():
            headers.setdefault(key, []).append(value)
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=request.url.query,
            headers=headers,
        )
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
    else:
        routes.append(Route(health_path, healthz, methods=["GET"]))
    return Starlette(routes=routes)


def uvicorn_config(web_app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        web_app,
        host=host,
        port=port,
        access_log=False,
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
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 5) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(web_app: Starlette, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Run `web_app` under uvicorn in a daemon thread (port 0: an ephemeral port)."""
    # IPPROTO_TCP named, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # sockets whose proto says TCP. Without it each answer on a kept-alive connection waited
    # for the client's delayed ACK between its head and its body: 40 ms a request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn_config(web_app, host, sock.getsockname()[1]))
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
