"""Running until SIGTERM, then stopping cleanly: `netplugin serve` calls these.

Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds (30 s) before SIGKILL. Within
SHUTDOWN_SECONDS of the signal the bot:

1. turns /readyz to 503 ("draining") and takes no new work: HTTP mode closes its listening
   socket (uvicorn's graceful shutdown) and lets in-flight requests finish (at most
   bot.runtime.server.GRACEFUL_HTTP_SECONDS); Socket Mode waits for the dispatches in progress
   (so their acks go out) and closes the websocket;
2. waits for the lazy listener work already started (the card being posted, a thread reply),
   queued or running on the app's executor;
3. closes the decision log (WAL checkpoint) and exits 0. If lazy work is still running when the
   time is up, it says how much in the log and exits 1 without waiting for it.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from bot.runtime.health import health_web_app
from bot.runtime.server import (
    GracefulServer,
    RunningServer,
    create_web_app,
    serve_in_thread,
    uvicorn_config,
)

log = logging.getLogger("bot.runtime.lifecycle")

SHUTDOWN_SECONDS = 25.0  # below Kubernetes' default grace period of 30 s
SOCKET_ACK_SECONDS = 2.0  # Socket Mode: dispatches in progress get this long to ack


class Shutdown:
    """The signal's time, and what is left of the budget after it."""

    def __init__(self, app: Any, budget: float = SHUTDOWN_SECONDS):
        self.app = app
        self.budget = budget
        self.requested = threading.Event()
        self.at: float | None = None

    def request(self, reason: str = "SIGTERM") -> None:
        if self.at is None:
            self.at = time.monotonic()
            self.app.health.draining = True
            log.info("shutdown: draining", extra={"reason": reason})
        self.requested.set()

    def left(self) -> float:
        if self.at is None:
            return self.budget
        return max(0.0, self.budget - (time.monotonic() - self.at))

    def finish(self) -> int:
        """Wait for the lazy work, close the decision log: 0 when everything finished."""
        self.request("server stopped")
        executor = self.app.executor
        pending = executor.in_flight
        drained = executor.drain(self.left())
        if not drained:
            log.error(
                "shutdown: lazy work still running when the time was up",
                extra={"lazy_jobs": executor.in_flight, "budget_s": self.budget},
            )
            return 1
        self.app.advisor.log.close()
        elapsed = self.budget - self.left()
        log.info(
            "shutdown: done",
            extra={"lazy_jobs_waited": pending, "elapsed_ms": round(elapsed * 1000)},
        )
        return 0


def freeze_start_up() -> None:
    """Take what start-up built out of the cyclic collector's reach (gc.freeze): the modules,
    pydantic's classes, the knowledge and the compiled templates live as long as the process,
    yet each full collection walked them all, on whichever thread allocated at that moment:
    one, timed with a gc callback in bench/ack_latency.py's server during a burst of acks,
    held the event loop 53 ms. The start-up's garbage is collected first, so that none of it
    is kept for good."""
    gc.collect()
    gc.freeze()


def exit_with(code: int) -> None:
    """Return on 0 (the caller exits normally); otherwise exit at once, without waiting for the
    threads that would not stop (a stuck lazy job)."""
    if code == 0:
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_http(app: Any, host: str, port: int, sock: socket.socket | None = None) -> int:
    """Serve POST /slack/events and the health routes until SIGTERM/SIGINT; the exit code.
    `sock`: already bound to `host`:`port` (bot.runtime.server.listening_socket)."""
    shutdown = Shutdown(app)
    server = GracefulServer(
        uvicorn_config(create_web_app(app), host, port), on_signal=shutdown.request
    )
    freeze_start_up()
    log.info("serving", extra={"mode": "http", "host": host, "port": port})
    server.run(sockets=[sock] if sock is not None else None)
    return shutdown.finish()


def start_health_server(app: Any, host: str, port: int) -> RunningServer:
    """Socket Mode's side server: /healthz, /readyz, /metrics, and POST /preflight/report."""
    return serve_in_thread(health_web_app(app), host, port)


def run_socket(app: Any, app_token: str, health: RunningServer) -> int:
    """Socket Mode until SIGTERM/SIGINT (the health server already running); the exit code."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    shutdown = Shutdown(app)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: shutdown.request(signal.Signals(signum).name))
    handler = SocketModeHandler(app, app_token)
    freeze_start_up()
    app.health.extra["socket"] = lambda: {"ok": bool(handler.client.is_connected())}
    try:
        handler.connect()
        log.info("serving", extra={"mode": "socket", "health_port": health.port})
        shutdown.requested.wait()
        # Acks of the envelopes being dispatched go back over the websocket: let them out.
        deadline = time.monotonic() + min(SOCKET_ACK_SECONDS, shutdown.left())
        while app.gate.busy and time.monotonic() < deadline:
            time.sleep(0.02)
        handler.close()
        return shutdown.finish()
    finally:
        health.stop()
