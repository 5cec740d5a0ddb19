"""Liveness, readiness and metrics over HTTP.

    GET /healthz   200 while the process answers (Kubernetes' liveness probe)
    GET /readyz    200 {"ready": true, "checks": {...}} when the bot can take work, else 503
                   with the checks that failed (the readiness probe)
    GET /metrics   Prometheus text format, the app's own registry

In HTTP mode these routes are on the main server (bot/runtime/server.py); in Socket Mode they
are all the small side server serves (`health_web_app`, on NETPLUGIN_HEALTH_PORT), with
POST /preflight/report (bot/runtime/reports.py), which has no other server there.

Readiness checks: the knowledge is loaded; the decision log takes a real write (a committed
one-row upsert to `_health`, within READY_DB_TIMEOUT); Slack accepts the bot token (the
auth.test made by build_app at start, made again by a probe at most every AUTH_RECHECK
seconds, the answer kept in between: a revoked token turns /readyz 503 within a minute; Slack
unreachable or rate-limiting keeps the last answer); in Socket Mode, the websocket is connected;
and the bot is not draining (after SIGTERM it finishes its work and takes no more).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.runtime.reports import report_routes

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
READY_DB_TIMEOUT = 2.0  # the probes time out after 3 s (deploy/k8s/overlays/*)
AUTH_RECHECK = 60.0  # seconds between two auth.test calls made for /readyz
AUTH_TIMEOUT = 1.0  # one try, no retry: a probe answers within its 3 s

Check = Callable[[], dict[str, Any]]


class Health:
    def __init__(
        self,
        advisor: Any,
        authorized: Any,
        client: WebClient | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.advisor = advisor  # bot.slack.deps.Advisor: the knowledge and the decision log
        self.authorized = authorized  # the AuthorizeResult of the start-up auth.test
        self.client = client  # auth.test again (health_routes gives one when none is given)
        self.draining = False
        self.extra: dict[str, Check] = {}  # e.g. "socket" in Socket Mode
        self.recheck_every = AUTH_RECHECK
        self.clock = clock
        self._auth = threading.Lock()  # one auth.test at a time; other probes take its answer
        self.token_checked_at = clock()  # when auth.test was last called (at start: build_app)
        self._auth_refused: str | None = None  # Slack's error when it last refused the token
        self._auth_unverified: str | None = None  # why the last recheck got no answer

    def use_client(self, client: WebClient) -> None:
        """Recheck the bot token through `client`'s Web API URL (one try, a short timeout)."""
        token = getattr(self.authorized, "bot_token", None)
        if self.client is None and token:
            self.client = WebClient(
                token=token, base_url=client.base_url, timeout=AUTH_TIMEOUT, retry_handlers=[]
            )

    def _recheck_token(self) -> None:
        if self.client is None:
            return
        with self._auth:
            if self.clock() - self.token_checked_at < self.recheck_every:
                return
            try:
                self.client.auth_test()
                self._auth_refused = self._auth_unverified = None
            except SlackApiError as exc:
                error = str(exc.response.get("error") or exc.response.status_code)
                if exc.response.status_code == 200:  # an answer: the token is refused
                    self._auth_refused, self._auth_unverified = error, None
                else:  # 429, 5xx: no answer about the token, the last one stands
                    self._auth_unverified = error
            except Exception as exc:  # unreachable, a timeout: the last answer stands
                self._auth_unverified = type(exc).__name__
            self.token_checked_at = self.clock()

    def _knowledge(self) -> dict[str, Any]:
        kb = self.advisor.kb
        if kb is None or not kb.plugins:
            return {"ok": False, "error": "no knowledge loaded"}
        return {"ok": True, "version": kb.version}

    def _database(self) -> dict[str, Any]:
        try:
            self.advisor.log.check_writable(READY_DB_TIMEOUT)
        except Exception as exc:  # sqlite3.Error, TimeoutError, a closed database
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {"ok": True}

    def _slack(self) -> dict[str, Any]:
        a = self.authorized
        if a is None or not a.bot_user_id:
            return {"ok": False, "error": "auth.test did not succeed at start"}
        self._recheck_token()
        if self._auth_refused is not None:
            return {"ok": False, "error": f"auth.test refused the bot token: {self._auth_refused}"}
        check = {"ok": True, "team_id": a.team_id, "bot_user_id": a.bot_user_id}
        if self._auth_unverified is not None:
            check["unverified"] = self._auth_unverified
        return check

    def ready(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, dict[str, Any]] = {
            "knowledge": self._knowledge(),
            "database": self._database(),
            "slack": self._slack(),
        }
        for name, check in self.extra.items():
            try:
                checks[name] = check()
            except Exception as exc:
                checks[name] = {"ok": False, "error": type(exc).__name__}
        if self.draining:
            checks["draining"] = {"ok": False, "error": "shutting down"}
        failed = [name for name, c in checks.items() if not c.get("ok")]
        body: dict[str, Any] = {"ready": not failed, "checks": checks}
        if failed:
            body["failed"] = failed
        return not failed, body


def health_routes(bolt_app: Any) -> list[Route]:
    """/healthz, /readyz and /metrics for an app built by bot.runtime.app.build_app."""
    health: Health = bolt_app.health
    health.use_client(bolt_app.client)
    obs = bolt_app.obs

    async def healthz(request: Request) -> Response:
        started = time.perf_counter()
        response = JSONResponse({"ok": True})
        obs.http_request("health", HEALTH_PATH, response.status_code, started)
        return response

    async def readyz(request: Request) -> Response:
        started = time.perf_counter()
        ok, body = await anyio.to_thread.run_sync(health.ready)
        response = JSONResponse(body, status_code=200 if ok else 503)
        obs.http_request("health", READY_PATH, response.status_code, started)
        return response

    async def metrics(request: Request) -> Response:
        started = time.perf_counter()
        response = Response(generate_latest(obs.registry), media_type=CONTENT_TYPE_LATEST)
        obs.http_request("metrics", METRICS_PATH, response.status_code, started)
        return response

    return [
        Route(HEALTH_PATH, healthz, methods=["GET"]),
        Route(READY_PATH, readyz, methods=["GET"]),
        Route(METRICS_PATH, metrics, methods=["GET"]),
    ]


def health_web_app(bolt_app: Any) -> Starlette:
    """The Socket Mode side server: health and metrics, and the preflight reports (Socket Mode
    has no public Slack endpoint; the nodes send their reports here)."""
    return Starlette(routes=[*health_routes(bolt_app), *report_routes(bolt_app)])
