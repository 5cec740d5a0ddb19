"""The HTTP server: Starlette + uvicorn in front of Bolt's synchronous App.

    web = create_web_app(bolt_app)          # POST /slack/events, GET /healthz
    server = serve_in_thread(web, port=0)   # tests, benchmark: 127.0.0.1, ephemeral port
    server.url; server.stop()

Bolt's dispatch is synchronous. Slack's stock Starlette adapter for the sync App calls it on the
event loop; here it runs in anyio's worker threads, so one slow request (a lazy listener's copy,
a busy SQLite) never stalls the others. The listeners ack in the request thread and defer their
work (bot/slack/app.py), so a dispatch is a millisecond or so.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import anyio.to_thread
import uvicorn
from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack import ids

MAX_BODY = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd


def create_web_app(
    bolt_app: App, *, events_path: str = ids.EVENTS_PATH, health_path: str = ids.HEALTH_PATH
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

    return Starlette(
        routes=[
            Route(events_path, slack_events, methods=["POST"]),
            Route(health_path, healthz, methods=["GET"]),
        ]
    )


def uvicorn_config(web_app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        web_app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="off",
        timeout_keep_alive=30,
    )


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
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
