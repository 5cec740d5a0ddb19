"""Prometheus metrics of one app, and the log line of each request they count.

    obs = Observability()             # its own CollectorRegistry: one per app (tests build many)
    obs.watch(decision_log)           # decisions and suppressed retries, counted where logged

Metrics (names and labels are documented in docs/deploy.md):

    netplugin_requests_total{surface,outcome}
    netplugin_request_duration_seconds{surface}      dispatch to the end of the lazy work
    netplugin_ack_duration_seconds{surface}          dispatch only (Slack wants it < 3 s)
    netplugin_decisions_total{plugin,status,source}
    netplugin_slack_api_errors_total{method,error}
    netplugin_retries_suppressed_total{kind}
    netplugin_lazy_jobs_in_flight
    netplugin_refused_requests_total{reason}         refused before Bolt (bot/runtime/server.py)
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from slack_sdk.http_retry.handler import RetryHandler

from bot.runtime.tracking import RequestRecord, current_request

log = logging.getLogger("bot.requests")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class SlackErrorObserver(RetryHandler):
    """Last of the WebClient's retry handlers, so it sees each call's final answer (a handler
    before it that retries stops the loop): counts Slack API errors by method and error code.
    Never retries. Bolt copies the handlers into every request's client."""

    def __init__(self, obs: Observability):
        super().__init__(max_retry_count=0)
        self.obs = obs

    def __deepcopy__(self, memo: dict[int, Any]) -> SlackErrorObserver:
        return self  # Bolt deep-copies each request's client for lazy listeners: share it

    def can_retry(self, *, state, request, response=None, error=None) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        code: str | None = None
        if response is not None:
            body = response.body if isinstance(response.body, dict) else {}
            if not body and response.data:
                try:
                    body = json.loads(response.data)
                except ValueError:
                    body = {}
            if response.status_code != 200 or body.get("ok") is False:
                code = str(body.get("error") or f"http_{response.status_code}")
        elif error is not None:
            code = type(error).__name__
        if code is not None:
            self.obs.slack_api_error(method, code)
        return False


class Observability:
    """The metrics of one app (its own registry) and its request lines."""

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "netplugin_requests", "Requests handled, by surface and outcome.",
            ["surface", "outcome"], registry=r,
        )  # fmt: skip
        self.duration = Histogram(
            "netplugin_request_duration_seconds",
            "From dispatch to the end of the lazy work the request started.",
            ["surface"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.ack_duration = Histogram(
            "netplugin_ack_duration_seconds", "Dispatch until the ack (the HTTP response).",
            ["surface"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.decisions = Counter(
            "netplugin_decisions", "Decisions recorded in the log, by plugin and status.",
            ["plugin", "status", "source"], registry=r,
        )  # fmt: skip
        self.slack_errors = Counter(
            "netplugin_slack_api_errors",
            "Slack Web API calls that failed after retries, by method and error code.",
            ["method", "error"], registry=r,
        )  # fmt: skip
        self.suppressed = Counter(
            "netplugin_retries_suppressed",
            "Slack retries and double clicks recognised and not handled twice.",
            ["kind"], registry=r,
        )  # fmt: skip
        self.lazy_in_flight = Gauge(
            "netplugin_lazy_jobs_in_flight", "Lazy listener jobs queued or running.", registry=r
        )
        self.refusals = Counter(
            "netplugin_refused_requests",
            "Requests to the Slack endpoint refused before Bolt saw them, by reason.",
            ["reason"], registry=r,
        )  # fmt: skip
        self.slack_observer = SlackErrorObserver(self)

    # --- Slack requests, once all of each is done (bot/runtime/tracking.py) ------------------

    def finish(self, record: RequestRecord) -> None:
        seconds = time.perf_counter() - record.started
        self.requests.labels(record.surface, record.outcome).inc()
        self.duration.labels(record.surface).observe(seconds)
        if record.ack_ms is not None:
            self.ack_duration.labels(record.surface).observe(record.ack_ms / 1000)
        fields: dict[str, Any] = {
            "surface": record.surface,
            "slack_id": record.name,
            "outcome": record.outcome,
            "status": record.status,
            "latency_ms": round(seconds * 1000, 1),
            "ack_ms": round(record.ack_ms, 1) if record.ack_ms is not None else None,
        }
        if record.decision_id is not None:
            fields["decision_id"] = record.decision_id
        level = logging.WARNING if record.outcome in ("error", "slack_error") else logging.INFO
        log.log(level, "request", extra=fields)

    # --- HTTP endpoints of our own (health, metrics) ----------------------------------------

    def http_request(self, surface: str, path: str, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        outcome = "ok" if status < 400 else "error"
        self.requests.labels(surface, outcome).inc()
        self.duration.labels(surface).observe(seconds)
        log.info(
            "request",
            extra={
                "surface": surface,
                "path": path,
                "outcome": outcome,
                "status": status,
                "latency_ms": round(seconds * 1000, 1),
            },
        )

    def refused(
        self, reason: str, path: str, status: int, started: float, problem: str | None = None
    ) -> None:
        """A request the server refused before Bolt (too large, too slow, not signed, not a
        Slack payload): counted, and its one log line, which says nothing of its body."""
        seconds = time.perf_counter() - started
        self.requests.labels("refused", "rejected").inc()
        self.refusals.labels(reason).inc()
        fields: dict[str, Any] = {
            "surface": "refused",
            "path": path,
            "reason": reason,
            "outcome": "rejected",
            "status": status,
            "latency_ms": round(seconds * 1000, 1),
        }
        if problem is not None:
            fields["problem"] = problem
        log.info("request", extra=fields)

    # --- the decision log and the Web API ---------------------------------------------------

    def watch(self, decision_log: Any) -> None:
        """Count what the decision log records and the retries it recognises."""
        if self.on_log not in decision_log.observers:
            decision_log.observers.append(self.on_log)

    def on_log(self, event: str, **data: Any) -> None:
        record = current_request.get()
        if event == "recorded":
            decision = data["decision"]
            self.decisions.labels(decision.plugin or "none", decision.status, decision.source).inc()
            if record is not None:
                record.decision_id = decision.id
        elif event == "duplicate":
            self.suppressed.labels("request_key").inc()
            if record is not None:
                record.decision_id = data["decision"].id
                record.mark("duplicate")
        elif event == "claimed" and not data["first"]:
            self.suppressed.labels(str(data["key"]).split(":", 1)[0] or "other").inc()
            if record is not None:
                record.mark("duplicate")

    def slack_api_error(self, method: str, error: str) -> None:
        self.slack_errors.labels(method, error).inc()
        record = current_request.get()
        if record is not None:
            record.mark("slack_error")
