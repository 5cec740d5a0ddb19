"""What an operator sees of the bot: JSON logs without secrets, Prometheus metrics, request lines.

    configure_logging(settings)       # one JSON object per line on stderr, tokens redacted
    obs = Observability()             # its own CollectorRegistry: one per app (tests build many)
    obs.watch(decision_log)           # decisions and suppressed retries, counted where logged

Each Slack request (HTTP or Socket Mode) is followed from its dispatch to the end of the lazy
work it started (bot/runtime/app.py): one log line and one observation when all of it is done,
with the decision id the work recorded. The link between the request and its lazy work is a
context variable, carried into the lazy executor's thread at submit time.

Metrics (names and labels are documented in docs/deploy.md):

    netplugin_requests_total{surface,outcome}
    netplugin_request_duration_seconds{surface}      dispatch to the end of the lazy work
    netplugin_ack_duration_seconds{surface}          dispatch only (Slack wants it < 3 s)
    netplugin_decisions_total{plugin,status,source}
    netplugin_slack_api_errors_total{method,error}
    netplugin_retries_suppressed_total{kind}
    netplugin_lazy_jobs_in_flight
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.request import payload_utils as payload
from slack_sdk.http_retry.handler import RetryHandler

from bot.slack.ackfirst import AckFirst, AckFirstExecutor, AdvisorApp

log = logging.getLogger("bot.requests")

SURFACES = ("command", "view", "action", "shortcut", "event", "health", "metrics", "other")
# Worst first: a request's outcome is the worst thing that happened while handling it.
OUTCOMES = ("error", "slack_error", "rejected", "duplicate", "ok")

# --- logs -----------------------------------------------------------------------------------

# Slack tokens: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs-, xoxe- and xoxe.xoxp- (rotation),
# xapp- (app-level). Anything that looks like one is replaced, whatever logged it.
TOKEN = re.compile(r"\bx(?:ox[a-z]|app)(?:\.xox[a-z])?-[A-Za-z0-9-]+")
REDACTED = "[redacted]"

# LogRecord attributes that are not `extra=` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redactor:
    """Replaces Slack tokens and the configured secrets (as given and as JSON-escaped)."""

    def __init__(self, secrets: Iterable[str] = ()):
        literal = {s for s in secrets if s and len(s) >= 4}
        literal |= {json.dumps(s)[1:-1] for s in literal}
        self.literal = sorted(literal, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.literal:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """A handler filter: the message, its arguments, the traceback and every `extra=` string
    field lose anything that looks like a token or is a configured secret."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the `extra=` fields, exc."""

    def __init__(self, redactor: Redactor | None = None):
        super().__init__()
        self.redact = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        # json.dumps escapes newlines: a traceback stays on its line. Redacted once more here,
        # in case a record reached this handler without the filter.
        return self.redact(json.dumps(data, default=str, ensure_ascii=False))


class _JsonHandler(logging.StreamHandler):
    """The handler configure_logging installs (a second call replaces it). Without a stream
    of its own it writes to whatever sys.stderr is at the time (tests swap it)."""

    def __init__(self, stream: Any = None):
        super().__init__(stream)
        self._own_stream = stream

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return self._own_stream if self._own_stream is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._own_stream = value


def configure_logging(
    secrets: Iterable[str] = (), level: str | int = "INFO", stream: Any = None
) -> logging.Handler:
    """Send every log record (ours, Bolt's, slack_sdk's, uvicorn's, warnings, uncaught
    exceptions in any thread) to `stream` (stderr) as JSON lines, with secrets redacted."""
    redactor = Redactor(secrets)
    handler = _JsonHandler(stream)
    handler.setFormatter(JsonFormatter(redactor))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    logging.captureWarnings(True)

    def log_uncaught(exc_type, exc, tb, thread_name: str | None = None) -> None:
        logging.getLogger("bot").error(
            "uncaught exception%s",
            f" in thread {thread_name}" if thread_name else "",
            exc_info=(exc_type, exc, tb),
        )

    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(
        args.exc_type, args.exc_value, args.exc_traceback,
        args.thread.name if args.thread else None,
    )  # fmt: skip
    return handler


# --- one Slack request, from dispatch to the end of its lazy work ---------------------------


def surface_of(body: dict[str, Any]) -> tuple[str, str | None]:
    """("command", "/netplugin"), ("action", action_id), ("view", callback_id), …"""
    if payload.is_slash_command(body):
        return "command", body.get("command")
    if payload.is_action(body):
        action = payload.to_action(body) or {}
        return "action", action.get("action_id") or action.get("callback_id")
    if payload.is_view(body):
        return "view", (payload.to_view(body) or {}).get("callback_id")
    if payload.is_shortcut(body):
        return "shortcut", (payload.to_shortcut(body) or {}).get("callback_id")
    if payload.is_event(body):
        return "event", (payload.to_event(body) or {}).get("type")
    if body.get("type") == "url_verification":
        return "event", "url_verification"
    return "other", body.get("type")


class RequestRecord:
    def __init__(self, obs: Observability, surface: str, name: str | None):
        self.obs = obs
        self.surface = surface
        self.name = name
        self.started = time.perf_counter()
        self.outcome = "ok"
        self.status: int | None = None
        self.ack_ms: float | None = None
        self.decision_id: int | None = None
        self._pending = 0
        self._acked = False
        self._done = False
        self._lock = threading.Lock()

    def mark(self, outcome: str) -> None:
        with self._lock:
            if OUTCOMES.index(outcome) < OUTCOMES.index(self.outcome):
                self.outcome = outcome

    def job_started(self) -> None:
        with self._lock:
            self._pending += 1

    def job_finished(self) -> None:
        with self._lock:
            self._pending -= 1
        self._maybe_finish()

    def acked(self, status: int) -> None:
        self.status = status
        self.ack_ms = (time.perf_counter() - self.started) * 1000
        if status >= 500:
            self.mark("error")
        elif status >= 400:
            self.mark("rejected")
        with self._lock:
            self._acked = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        with self._lock:
            if self._done or not self._acked or self._pending > 0:
                return
            self._done = True
        self.obs.finish(self)


current_request: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "netplugin_request", default=None
)


class _MarkErrors(logging.Filter):
    """On Bolt's framework logger: an error it logs (a lazy listener that raised: Bolt catches
    it and logs "Failed to run an internal function") marks the current request as failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record_ = current_request.get()
        if record_ is not None and record.levelno >= logging.ERROR:
            record_.mark("error")
        return True


_MARK_ERRORS = _MarkErrors()
BOLT_LOGGER = "slack_bolt.App"  # the logger Bolt's lazy listener runner reports failures on


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


# --- the metrics, and where they are fed ----------------------------------------------------

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


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
        self.slack_observer = SlackErrorObserver(self)
        bolt_logger = logging.getLogger(BOLT_LOGGER)
        if _MARK_ERRORS not in bolt_logger.filters:
            bolt_logger.addFilter(_MARK_ERRORS)

    # --- Slack requests ---------------------------------------------------------------------

    def dispatch(self, req: BoltRequest, run: Callable[[BoltRequest], BoltResponse]):
        surface, name = surface_of(req.body if isinstance(req.body, dict) else {})
        record = RequestRecord(self, surface, name)
        token = current_request.set(record)
        status = 500
        try:
            response = run(req)
            status = response.status
            return response
        finally:
            current_request.reset(token)
            record.acked(status)

    def wrap_job(self, fn: Callable[[], Any]) -> LazyJob:
        """A lazy job, submitted from a request's dispatch: it runs with that request current,
        and the request is finished when its last job is."""
        return LazyJob(self, fn, current_request.get())

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


# --- the Bolt pieces that feed it -----------------------------------------------------------


class LazyJob:
    def __init__(self, obs: Observability, fn: Callable[[], Any], record: RequestRecord | None):
        self.obs, self.fn, self.record = obs, fn, record
        if record is not None:
            record.job_started()
        obs.lazy_in_flight.inc()

    def __call__(self) -> Any:
        token = current_request.set(self.record)
        try:
            return self.fn()
        except BaseException:
            if self.record is not None:
                self.record.mark("error")
            raise
        finally:
            current_request.reset(token)
            self.done()

    def done(self) -> None:
        """Finished, or never run (the executor refused it: shutting down)."""
        self.obs.lazy_in_flight.dec()
        if self.record is not None:
            self.record.job_finished()


class ObservedExecutor(AckFirstExecutor):
    """The lazy listener executor: each job carries its request (see Observability.wrap_job)."""

    def __init__(self, gate: AckFirst, max_workers: int, obs: Observability):
        super().__init__(gate, max_workers)
        self.obs = obs

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        job = self.obs.wrap_job(lambda: fn(*args, **kwargs))
        try:
            return super().submit(job)
        except BaseException:  # shut down: the job never runs
            job.done()
            raise


class ObservedApp(AdvisorApp):
    """The Bolt App: each dispatch (HTTP or Socket Mode) is one observed request."""

    obs: Observability
    executor: AckFirstExecutor
    health: Any  # bot.runtime.health.Health
    advisor: Any  # bot.slack.deps.Advisor

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return self.obs.dispatch(req, super().dispatch)
