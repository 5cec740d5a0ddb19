"""`netplugin serve` with no Slack token (or `--mode playground`): the playground, in the
foreground, until SIGTERM or Ctrl-C (SIGINT).

As PID 1 in a container a process gets no default action for SIGTERM: without a handler,
`podman stop` / `docker stop` wait 10 s and kill it (exit 137). Here either signal sets `stop`;
the page, the app's work under way, the app's endpoint, the fake Slack and the decision log are
closed in that order (bot/playground/session.py, `Stack.stop`), and the process exits 0.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import signal
import threading
from collections.abc import Callable, Iterator

from bot.playground import Playground
from bot.playground.session import DEFAULT_DB, HOST
from bot.render.messages import say
from bot.settings import Settings

SIGNALS = (signal.SIGTERM, signal.SIGINT)
POLL_SECONDS = 0.1  # how soon a signal is acted on


def default_db() -> str:
    """NETPLUGIN_DB when set, else playground.db in the working directory."""
    return Settings().db_or(DEFAULT_DB)


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def address_kind(host: str) -> str:
    """ "loopback" (this machine only), "any" (every address: 0.0.0.0, ::) or "address"."""
    if host.lower() == "localhost":
        return "loopback"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "address"  # a name: whatever it resolves to
    if address.is_loopback:
        return "loopback"
    return "any" if address.is_unspecified else "address"


@contextlib.contextmanager
def signals_noted() -> Iterator[list[int]]:
    """In the block, SIGTERM and SIGINT are appended to the list it gives (in the main thread
    only; elsewhere, as in tests that run the playground in a thread, the list stays empty).
    The handler takes no lock (an Event's would deadlock if the signal came while the main
    thread held it): the caller polls the list."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {
        sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in SIGNALS
    }
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_playground(
    port: int,
    db: str | None = None,
    *,
    host: str = HOST,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Start the playground with its page on `host`:`port` (the rest on 127.0.0.1), print its
    URL, and run until SIGTERM, Ctrl-C or `stop`; then close everything and return."""
    db = db or default_db()
    stop = stop or threading.Event()
    with signals_noted() as received:
        try:
            pg = Playground(db=db, port=port, page_host=host).start()
        except OSError as exc:  # the port is taken, or the address is not this machine's
            echo(
                say(
                    "listen-failed",
                    host=host,
                    port=port,
                    error=exc.strerror or exc,
                    busy=exc.errno == errno.EADDRINUSE,
                    not_here=exc.errno == errno.EADDRNOTAVAIL,
                    setting="--port",
                )
            )
            raise SystemExit(2) from None
        try:
            kind = address_kind(host)
            shown = url_of("127.0.0.1" if kind == "any" else host, pg.page.port)
            echo(say("playground-listening", url=shown, host=host, kind=kind, db=db))
            while not received and not stop.wait(POLL_SECONDS):
                pass
        except KeyboardInterrupt:  # a SIGINT before the handler was in place
            pass
        finally:
            pg.stop()
        echo(say("playground-stopped"))
