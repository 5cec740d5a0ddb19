"""Waiting in tests for the thing itself, never for a length of time.

    value = eventually(lambda: log.by_message(channel, ts), message="the card was never logged")
    eventually(lambda: metric(url, name) >= 2)         # or a check that asserts
    settle(stack)          # stack.app and stack.server: nothing in flight any more
    settle(app, server)    # an app built by build_app, and the server in front of it (or none)
    assert fake.calls == []                            # "nothing happened" is now a fact

`eventually` polls: it is for what the app does not track itself (another process, a page, a
metric read over HTTP). `settle` returns once no HTTP request is being served, no request is in
the app's dispatch (`app.gate.busy`, bot/slack/ackfirst.py) and no job is queued or running on
its executor (`app.executor.in_flight`). Work only starts from a request or from another job, so
after `settle` nothing more will happen until the test sends something: an assertion that
something did *not* happen is then true of the app, not of how long the test waited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

TIMEOUT = 5.0
# The server's event loop is uvloop's: its timers (libuv's) count whole milliseconds, so a
# deadline on the loop may end up to a millisecond before time.monotonic() says it is due.
LOOP_TIMER_SLACK = 0.002


def eventually(
    check: Callable[[], T],
    *,
    timeout: float = TIMEOUT,
    interval: float = 0.01,
    message: str | Callable[[], str] | None = None,
) -> T:
    """Call `check` until it returns something truthy, and return that. A check may also assert:
    an AssertionError counts as "not yet". After `timeout` seconds, fail with `message` (a string,
    or a function of nothing, called then) and the last value or assertion."""
    deadline = time.monotonic() + timeout
    while True:
        failed: AssertionError | None = None
        try:
            value = check()
        except AssertionError as exc:
            failed, value = exc, None  # type: ignore[assignment]
        if failed is None and value:
            return value
        if time.monotonic() >= deadline:
            said = message() if callable(message) else message
            last = f"last: {failed}" if failed is not None else f"last value: {value!r}"
            what = said or f"{getattr(check, '__name__', 'the check')} never held"
            raise AssertionError(f"{what} (within {timeout} s; {last})") from failed
        time.sleep(interval)


def in_flight(app: Any, server: Any = None) -> dict[str, int]:
    """What `app` (and the uvicorn server in front of it, if any) has under way."""
    busy = {"dispatching": app.gate.busy, "jobs": app.executor.in_flight}
    if server is not None:
        uvicorn_server = getattr(server, "server", server)  # bot's RunningServer, or uvicorn's
        busy["http"] = len(uvicorn_server.server_state.tasks)
    return busy


def settle(target: Any, server: Any = None, *, timeout: float = TIMEOUT) -> None:
    """Return when `target` (an app built by build_app, or anything with `.app` and maybe
    `.server`, such as the scenario tests' stack) has no HTTP request being served, no request
    in dispatch and no job queued or running. Fails after `timeout` seconds, saying what was
    still under way."""
    app = target if hasattr(target, "executor") else target.app
    if server is None and app is not target:
        server = getattr(target, "server", None)
    eventually(
        lambda: not any(in_flight(app, server).values()),
        timeout=timeout,
        interval=0.005,
        message=lambda: f"the app never settled: {in_flight(app, server)} still under way",
    )
