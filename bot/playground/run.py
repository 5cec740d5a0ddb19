"""`netplugin serve` with no Slack token (or `--mode playground`): the playground, in the
foreground, until Ctrl-C."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.playground import Playground
from bot.playground.session import DEFAULT_DB, HOST
from bot.render.messages import say
from bot.settings import Settings


def default_db() -> str:
    """NETPLUGIN_DB when set, else playground.db in the working directory."""
    return Settings().db_or(DEFAULT_DB)


def run_playground(
    port: int,
    db: str | None = None,
    *,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Start the playground on 127.0.0.1:`port`, print its URL, wait for Ctrl-C (or `stop`)."""
    db = db or default_db()
    stop = stop or threading.Event()
    try:
        pg = Playground(db=db, port=port).start()
    except OSError as exc:  # the port is taken, most likely
        echo(say("playground-port-busy", host=HOST, port=port, reason=exc.strerror or exc))
        raise SystemExit(2) from None
    try:
        echo(say("playground-running", url=pg.url, db=db))
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        echo(say("playground-stopped"))
    finally:
        pg.stop()
