"""Each Slack request (HTTP or Socket Mode), followed from its dispatch to the end of the lazy
work it started.

    app = ObservedApp(..., listener_executor=ObservedExecutor(gate, workers, gauge))
    app.obs = obs            # its `finish(record)` gets each request once all of it is done

`ObservedApp` opens a `RequestRecord` for each dispatch; `ObservedExecutor` hands it to every
job the dispatch submits; when the ack and the last job are done, the record (its surface,
outcome, timings and the decision id the work recorded) goes to `obs.finish`, once. The link
between the request and its lazy work is a context variable, carried into the executor's thread
at submit time. A request's outcome is the worst thing that happened while handling it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from prometheus_client import Gauge
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.request import payload_utils as payload

from bot.slack.ackfirst import AckFirst, AckFirstExecutor, AdvisorApp

log = logging.getLogger(__name__)

# Worst first.
OUTCOMES = ("error", "slack_error", "rejected", "duplicate", "ok")


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
    def __init__(
        self,
        surface: str,
        name: str | None,
        on_finish: Callable[[RequestRecord], None],
        started: float | None = None,  # perf_counter() when the request arrived; now if None
    ):
        self.surface = surface
        self.name = name
        self.on_finish = on_finish
        self.started = time.perf_counter() if started is None else started
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
        self.on_finish(self)


current_request: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "netplugin_request", default=None
)


class _MarkErrors(logging.Filter):
    """On Bolt's framework logger: an error it logs (a lazy listener that raised: Bolt catches
    it and logs "Failed to run an internal function") marks the current request as failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is not None and record.levelno >= logging.ERROR:
            request.mark("error")
        return True


BOLT_LOGGER = "slack_bolt.App"  # the logger Bolt's lazy listener runner reports failures on
logging.getLogger(BOLT_LOGGER).addFilter(_MarkErrors())


def track(
    req: BoltRequest,
    run: Callable[[BoltRequest], BoltResponse],
    on_finish: Callable[[RequestRecord], None],
) -> BoltResponse:
    """`run(req)` as one request: current while it runs, acked with its status."""
    surface, name = surface_of(req.body if isinstance(req.body, dict) else {})
    record = RequestRecord(surface, name, on_finish)
    token = current_request.set(record)
    status = 500
    try:
        response = run(req)
        status = response.status
        return response
    finally:
        current_request.reset(token)
        record.acked(status)


class LazyJob:
    """A job submitted during a request's dispatch: it runs with that request current, and the
    request is finished when its last job is."""

    def __init__(self, fn: Callable[[], Any], record: RequestRecord | None, gauge: Gauge):
        self.fn, self.record, self.gauge = fn, record, gauge
        if record is not None:
            record.job_started()
        gauge.inc()

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
        self.gauge.dec()
        if self.record is not None:
            self.record.job_finished()


class ObservedExecutor(AckFirstExecutor):
    """The lazy listener executor: each job carries its request, the jobs it puts on a lane
    too; `gauge` shows the jobs queued, waiting or running."""

    def __init__(self, gate: AckFirst, max_workers: int, gauge: Gauge):
        super().__init__(gate, max_workers)
        self.gauge = gauge

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        job = LazyJob(lambda: fn(*args, **kwargs), current_request.get(), self.gauge)
        try:
            return super().submit(job)
        except BaseException:  # shut down: the job never runs
            job.done()
            raise

    def hold(self, fn: Callable[[], Any], *, dropped: Callable[[], None] | None = None) -> None:
        """A held job belongs to the request current now, as a submitted one does."""
        job, never_run = self._job(fn, dropped)
        super().hold(job, dropped=never_run)

    def lane(
        self,
        key: str,
        fn: Callable[[], Any],
        *,
        delay: float = 0.0,
        dropped: Callable[[], None] | None = None,
    ) -> bool:
        """A lane's job (a card being posted, its retry) belongs to the request that started it,
        like any job of its lazy work."""
        job, never_run = self._job(fn, dropped)
        return super().lane(key, job, delay=delay, dropped=never_run)

    def _job(
        self, fn: Callable[[], Any], dropped: Callable[[], None] | None
    ) -> tuple[LazyJob, Callable[[], None]]:
        """`fn` as the current request's job, and what to call if it never runs."""
        job = LazyJob(fn, current_request.get(), self.gauge)

        def never_run() -> None:
            job.done()
            if dropped is not None:
                dropped()

        return job, never_run


class ObservedApp(AdvisorApp):
    """The Bolt App: each dispatch (HTTP or Socket Mode) is one tracked request."""

    obs: Any  # bot.runtime.metrics.Observability: counts and logs each finished request
    executor: AckFirstExecutor
    health: Any  # bot.runtime.health.Health
    advisor: Any  # bot.slack.deps.Advisor

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return track(req, super().dispatch, self.obs.finish)

    def dispatch_answered(self, req: BoltRequest) -> None:
        """Bolt's dispatch of a request the server has answered already (bot/runtime/quickack.py),
        as lazy work of the request record it opened: its ack goes nowhere, its work runs. Not
        counted by the ack-first gate: it is lazy work, not an ack anyone waits for."""
        response = App.dispatch(self, req)
        if response.status >= 400:  # Slack had a 200: the user learns nothing from this status
            log.error("a question answered by the server failed in Bolt: %s", response.status)
            record = current_request.get()
            if record is not None:
                record.mark("error")
