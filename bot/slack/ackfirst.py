"""Acks first: lazy work waits while requests are being dispatched.

Python runs one thread at a time (the GIL). When a burst of slash commands arrives, the work of
the first ones (parse, recommend, log, render, post: a few ms of CPU each) would interleave
with the acks of the next ones and delay them. `AckFirst` counts the requests in dispatch; the
lazy executor holds each job until none has been for `quiet` seconds (the requests of a burst
arrive a little apart), at most `max_wait`, so work never starves.

Slack calls that may be slow or rate-limited (posting a card) do not run on those few shared
workers: the executor's `lane(key, fn, delay=…)` runs them on `Lanes`, one lane per channel,
and a job that must wait (a 429's Retry-After) comes back on a timer, holding no thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger(__name__)

LANE_THREADS = 8  # channels whose Slack calls can be under way at once


class AckFirst:
    def __init__(self, quiet: float = 0.01, max_wait: float = 0.2):
        self.quiet = quiet
        self.max_wait = max_wait
        self._busy = 0
        self._last = 0.0  # when the last dispatch ended
        self._quiet = threading.Condition()

    def __enter__(self) -> AckFirst:
        with self._quiet:
            self._busy += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._quiet:
            self._busy -= 1
            self._last = time.monotonic()
            if self._busy == 0:
                self._quiet.notify_all()

    @property
    def busy(self) -> int:
        return self._busy

    def calm_in(self) -> float:
        """Seconds until it is quiet, if no request comes meanwhile: 0 when it is quiet now;
        `quiet` while a request is being dispatched."""
        if self._busy:
            return self.quiet
        return max(0.0, self.quiet - (time.monotonic() - self._last))

    def wait_quiet(self) -> None:
        deadline = time.monotonic() + self.max_wait
        with self._quiet:
            while True:
                calm = self.calm_in()
                if calm <= 0:
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._quiet.wait(min(left, calm) if self._busy == 0 else left)


@dataclass(order=True)
class _Timed:
    due: float
    seq: int
    key: str = field(compare=False)
    job: _LaneJob = field(compare=False)


@dataclass
class _LaneJob:
    fn: Callable[[], Any]
    dropped: Callable[[], None] | None  # told when the job will never run (shut down)


class Lanes:
    """Jobs in lanes: a lane (a channel) runs its jobs one at a time, in order, on a pool of
    `threads`, so a slow channel holds one thread while the others keep flowing. A job given a
    `delay` waits on a timer, holding no thread, then joins the back of its lane.

    `in_flight` counts the jobs waiting, queued or running; `close` refuses new jobs and drops
    the ones waiting on the timer (their `dropped` is called); `wait_idle` waits for the rest."""

    def __init__(self, threads: int = LANE_THREADS):
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="netplugin-lane")
        self._changed = threading.Condition()
        self._lanes: dict[str, deque[_LaneJob]] = {}  # a lane with jobs queued or running
        self._timed: list[_Timed] = []  # a heap, soonest first
        self._seq = itertools.count()
        self._timer: threading.Thread | None = None
        self._in_flight = 0
        self._closed = False

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> list[tuple[str, float]]:
        """(lane, seconds left) of each job waiting on the timer, soonest first."""
        now = time.monotonic()
        with self._changed:
            return [(t.key, t.due - now) for t in sorted(self._timed)]

    def run(
        self,
        key: str,
        fn: Callable[[], Any],
        *,
        delay: float = 0.0,
        dropped: Callable[[], None] | None = None,
    ) -> bool:
        """Run `fn` on lane `key`, after `delay` seconds. False (and `dropped` called) when
        closed: the job will never run."""
        job = _LaneJob(fn, dropped)
        with self._changed:
            if self._closed:
                refused = True
            else:
                refused = False
                self._in_flight += 1
                if delay > 0:
                    heapq.heappush(
                        self._timed, _Timed(time.monotonic() + delay, next(self._seq), key, job)
                    )
                    self._start_timer()
                    self._changed.notify_all()
                else:
                    self._enqueue(key, job)
        if refused and dropped is not None:
            dropped()
        return not refused

    def _enqueue(self, key: str, job: _LaneJob) -> None:
        """(holding _changed) Queue `job` on its lane; start the lane if it was idle."""
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(job)
            return
        self._lanes[key] = deque([job])
        self._pool.submit(self._drive, key)

    def _drive(self, key: str) -> None:
        """Run lane `key`'s jobs until it is empty."""
        while True:
            with self._changed:
                lane = self._lanes[key]
                if not lane:
                    del self._lanes[key]
                    return
                job = lane[0]
            try:
                job.fn()
            except Exception:  # one job's failure must not stop its lane
                log.exception("a job on lane %s failed", key)
            finally:
                with self._changed:
                    lane.popleft()
                    self._in_flight -= 1
                    self._changed.notify_all()

    def _start_timer(self) -> None:
        if self._timer is None:
            self._timer = threading.Thread(
                target=self._wake, name="netplugin-lane-timer", daemon=True
            )
            self._timer.start()

    def _wake(self) -> None:
        """The timer: moves each waiting job to its lane when it is due."""
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                while self._timed and self._timed[0].due <= now:
                    timed = heapq.heappop(self._timed)
                    self._enqueue(timed.key, timed.job)
                self._changed.wait(self._timed[0].due - now if self._timed else None)

    def close(self) -> int:
        """Take no new job; drop the jobs waiting on the timer. Returns how many were dropped."""
        with self._changed:
            self._closed = True
            timed, self._timed = self._timed, []
            self._in_flight -= len(timed)
            self._changed.notify_all()
        for item in timed:
            if item.job.dropped is not None:
                item.job.dropped()
        return len(timed)

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for no job queued or running. True when none is left."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._in_flight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        self._pool.shutdown(wait=False)
        return True


class AckFirstExecutor(ThreadPoolExecutor):
    """Bolt's listener executor (it runs the lazy listeners): each job waits for quiet; Slack
    calls that may be slow or rate-limited go on its `lanes` (`lane`).

    A job may also be held (`hold`): queued without waking a worker, until `release` (the
    server's event loop calls it once the acks are quiet: bot/runtime/quickack.py) or `drain`.
    A worker woken during a burst only to wait for quiet costs the acks being made a GIL
    hand-off each.

    It counts the jobs held, queued, waiting or running, so that a shutdown can wait for them:
    `drain`."""

    def __init__(self, gate: AckFirst, max_workers: int, lanes: Lanes | None = None):
        super().__init__(max_workers, thread_name_prefix="netplugin-lazy")
        self.gate = gate
        self.lanes = lanes or Lanes()
        self._in_flight = 0
        self._idle = threading.Condition()
        self._worker = threading.local()
        self._held: list[tuple[Callable[[], Any], Callable[[], None] | None]] = []

    @property
    def in_flight(self) -> int:
        return self._in_flight + self.lanes.in_flight

    def lane(
        self,
        key: str,
        fn: Callable[[], Any],
        *,
        delay: float = 0.0,
        dropped: Callable[[], None] | None = None,
    ) -> bool:
        """Run `fn` on lane `key` (a channel), off the shared workers, after `delay` seconds
        (waiting on a timer, not in a thread). False when shutting down: it will never run."""
        return self.lanes.run(key, fn, delay=delay, dropped=dropped)

    def _finished(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._idle:
            self._in_flight += 1
        return self._start(lambda: fn(*args, **kwargs))

    def hold(self, fn: Callable[[], Any], *, dropped: Callable[[], None] | None = None) -> None:
        """Queue `fn` without waking a worker: it starts at the next `release` (or `drain`).
        `dropped` is told if it never will (the executor was shut down meanwhile)."""
        with self._idle:
            self._in_flight += 1
            self._held.append((fn, dropped))

    def release(self) -> None:
        """Start the jobs held."""
        with self._idle:
            held, self._held = self._held, []
        for fn, dropped in held:
            try:
                self._start(fn)
            except RuntimeError:  # shut down: it will never run
                if dropped is not None:
                    dropped()

    def _start(self, fn: Callable[[], Any]) -> Future:
        """Give `fn` (counted in flight) to a worker, where it waits for quiet first."""
        # A job submitted by a job (a dispatch deferred by the server's quick ack submits the
        # listener's work) has waited for quiet once already: it does not queue behind acks again.
        waited = getattr(self._worker, "past_gate", False)

        def after_acks() -> Any:
            try:
                if not waited:
                    self.gate.wait_quiet()
                self._worker.past_gate = True  # this thread runs lazy jobs only
                return fn()
            finally:
                self._finished()

        try:
            return super().submit(after_acks)
        except BaseException:  # shut down: the job will never run
            self._finished()
            raise

    def drain(self, timeout: float) -> bool:
        """Take no new job, and wait up to `timeout` seconds for the queued and running ones to
        finish (the lanes' too; the jobs they queue meanwhile run as well). Jobs waiting on the
        lanes' timer are dropped: what they would retry is in the decision log, and the next
        start finishes it (bot/slack/recovery.py). The jobs held start first. True when none is
        left."""
        self.release()
        self.shutdown(wait=False)
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        dropped = self.lanes.close()
        if dropped:
            log.info("%d delayed Slack call(s) left for the next start", dropped)
        return self.lanes.wait_idle(max(0.0, deadline - time.monotonic()))


class AdvisorApp(App):
    """A Bolt App whose dispatch is counted by an AckFirst gate."""

    gate: AckFirst

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with self.gate:
            return super().dispatch(req)
