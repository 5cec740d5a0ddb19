"""`netplugin serve`: the Slack app, in Socket Mode (SLACK_APP_TOKEN) or over HTTP
(SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET, POST /slack/events on Starlette + uvicorn); with no
Slack token at all, the local playground (bot/playground)."""

from __future__ import annotations

import errno
import sys

import click

from bot.render.messages import say
from bot.settings import REQUIRED, InvalidSettings, Settings, load

MISSING_SETTING = 2
SERVER_HOST = "0.0.0.0"  # HTTP mode, Socket Mode's health server: reachable in a pod
PLAYGROUND_HOST = "127.0.0.1"  # no login: this machine only, unless told otherwise


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(MISSING_SETTING)


def _settings() -> Settings:
    try:
        return load()
    except InvalidSettings as exc:
        _fail(say("invalid-setting", names=exc.names))
        raise  # unreachable


@click.command()
@click.option(
    "--mode",
    type=click.Choice(["http", "socket", "playground"]),
    default=None,
    help="Default: socket when SLACK_APP_TOKEN is set, else http when a Slack token is set, "
    "else the local playground (no Slack workspace needed; see docs/playground.md).",
)
@click.option(
    "--host",
    default=None,
    help="Address to bind: HTTP mode's server, Socket Mode's health server (default 0.0.0.0), "
    "the playground's page (default 127.0.0.1; 0.0.0.0 in a container).",
)
@click.option(
    "--port", type=int, default=None, help="HTTP mode, playground: port (default: $PORT or 3000)."
)
def serve(mode: str | None, host: str | None, port: int | None) -> None:
    """Run the Slack app (Socket Mode or HTTP), or the local playground without Slack."""
    settings = _settings()
    chosen = settings.mode(mode) if mode != "playground" else None  # type: ignore[arg-type]
    if chosen is None:  # no Slack token at all, or --mode playground
        from bot.playground.run import run_playground

        run_playground(
            port if port is not None else settings.port,
            host=host or PLAYGROUND_HOST,
            echo=click.echo,
        )
        return
    host = host or SERVER_HOST
    missing = settings.missing(chosen)
    if missing:
        _fail(say("setting-missing", name=missing[0], mode=chosen, needed=REQUIRED[chosen]))

    from slack_sdk.errors import SlackClientError

    from bot.decisions.database import LogFileError
    from bot.runtime import lifecycle
    from bot.runtime.app import StartFailed, build_app
    from bot.runtime.logs import configure_logging
    from bot.runtime.reach import WEB_API_TIMEOUT, describe
    from bot.runtime.server import listening_socket

    # From here on, stderr is JSON lines, with the tokens and the signing secret redacted.
    configure_logging(settings.secrets(), settings.netplugin_log_level)

    try:
        app = build_app(settings, socket_mode=chosen == "socket")
    except LogFileError as exc:  # corrupt, read-only, ...: the file named, what to do
        _fail(say("log-file-unusable", path=exc.path, problem=exc.problem, error=exc.error))
    except StartFailed as exc:  # auth.test: DNS, refused, timeout, TLS, HTTP status, the token
        _fail(exc.failure.sentence())

    if chosen == "socket":  # probes and metrics on a side server: NETPLUGIN_HEALTH_PORT
        health_port = settings.netplugin_health_port
        try:
            health = lifecycle.start_health_server(app, host, health_port)
        except OSError as exc:
            _fail(_cannot_listen(exc, host, health_port, "NETPLUGIN_HEALTH_PORT"))
        click.echo(say("serving", mode="socket", url=None, db=settings.netplugin_db))
        token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
        try:
            code = lifecycle.run_socket(app, token, health)
        except (SlackClientError, OSError) as exc:  # apps.connections.open: the app token
            failure = describe(
                exc,
                settings.api_url,
                seconds=WEB_API_TIMEOUT,
                setting="SLACK_APP_TOKEN",
                method="apps.connections.open",
            )
            _fail(failure.sentence())
        lifecycle.exit_with(code)
        return

    port = port if port is not None else settings.port
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        _fail(_cannot_listen(exc, host, port, "--port or PORT"))
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/slack/events"
    click.echo(say("serving", mode="HTTP", url=url, db=settings.netplugin_db))
    lifecycle.exit_with(lifecycle.run_http(app, host, port, sock))


def _cannot_listen(exc: OSError, host: str, port: int, setting: str) -> str:
    return say(
        "listen-failed",
        host=host,
        port=port,
        error=exc.strerror or exc,
        busy=exc.errno == errno.EADDRINUSE,
        not_here=exc.errno == errno.EADDRNOTAVAIL,
        setting=setting,
    )
