"""Acks first: lazy work waits while requests are being dispatched.

Python runs one thread at a time (the GIL). When a burst of slash commands arrives, the work of
the first ones (parse, recommend, log, render, post: a few ms of CPU each) would interleave
with the acks of the next ones and delay them. `AckFirst` counts the requests in dispatch; the
lazy executor holds each job until none has been for `quiet` seconds (the requests of a burst
arrive a little apart), at most `max_wait`, so work never starves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse


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

    def wait_quiet(self) -> None:
        deadline = time.monotonic() + self.max_wait
        with self._quiet:
            while True:
                now = time.monotonic()
                calm = self.quiet - (now - self._last)
                if self._busy == 0 and calm <= 0:
                    return
                left = deadline - now
                if left <= 0:
                    return
                self._quiet.wait(min(left, calm) if self._busy == 0 else left)


class AckFirstExecutor(ThreadPoolExecutor):
    """Bolt's listener executor (it runs the lazy listeners): each job waits for quiet.

    It counts the jobs queued or running, so that a shutdown can wait for them: `drain`."""

    def __init__(self, gate: AckFirst, max_workers: int):
        super().__init__(max_workers, thread_name_prefix="netplugin-lazy")
        self.gate = gate
        self._in_flight = 0
        self._idle = threading.Condition()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _finished(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        def after_acks() -> Any:
            try:
                self.gate.wait_quiet()
                return fn(*args, **kwargs)
            finally:
                self._finished()

        with self._idle:
            self._in_flight += 1
        try:
            return super().submit(after_acks)
        except BaseException:  # shut down: the job will never run
            self._finished()
            raise

    def drain(self, timeout: float) -> bool:
        """Take no new job, and wait up to `timeout` seconds for the queued and running ones to
        finish. True when none is left."""
        self.shutdown(wait=False)
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True


class AdvisorApp(App):
    """A Bolt App whose dispatch is counted by an AckFirst gate."""

    gate: AckFirst

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with self.gate:
            return super().dispatch(req)
