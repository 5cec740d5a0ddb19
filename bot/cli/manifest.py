"""`netplugin manifest --mode socket|http [--url URL]`: the Slack app manifest to create the app.

deploy/slack/manifest.<mode>.yaml are Jinja templates holding the wording and the settings; every
Slack id in them (the command, the shortcut's callback id, the events, the bot scopes) comes from
bot/slack/ids.py, the module the listeners are wired from. So the app Slack knows about and the
code that answers it cannot drift apart. A wheel carries the templates in bot/_data/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.render.messages import say
from bot.slack import ids

MODES = ("socket", "http")
_PACKAGE = Path(__file__).resolve().parent.parent


def manifests_dir() -> Path:
    shipped = _PACKAGE / "_data" / "slack-manifests"
    return shipped if shipped.is_dir() else _PACKAGE.parent / "deploy" / "slack"


class ManifestError(ValueError):
    """The manifest cannot be made from what was given (a bad --url)."""


def request_url(url: str) -> str:
    """The URL Slack posts to: the bot's public HTTPS base URL plus the server's events path."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(say("manifest-url-not-https", url=url))
    if parts.query or parts.fragment:
        raise ManifestError(say("manifest-url-query", url=url))
    path = parts.path.rstrip("/")
    if not path.endswith(ids.EVENTS_PATH):
        path += ids.EVENTS_PATH
    return f"https://{parts.netloc}{path}"


def manifest_context(mode: str, url: str | None = None) -> dict[str, Any]:
    if mode not in MODES:
        raise ManifestError(say("manifest-unknown-mode", mode=mode, modes=MODES))
    return {
        "bot_name": say("bot-name"),
        "command": ids.COMMAND,
        "command_description": ids.COMMAND_DESCRIPTION,
        "command_usage_hint": ids.COMMAND_USAGE_HINT,
        "shortcut_name": ids.PLAN_SHORTCUT_NAME,
        "shortcut_callback_id": ids.PLAN_SHORTCUT,
        "shortcut_description": ids.PLAN_SHORTCUT_DESCRIPTION,
        "events": list(ids.EVENTS),
        # People can write to the bot in its DM only if it subscribes to DM messages.
        "dm_messages": "message.im" in ids.EVENTS,
        "home_tab": ids.APP_HOME_OPENED in ids.EVENTS,
        "scopes": sorted(ids.BOT_SCOPES),
        "request_url": request_url(url) if mode == "http" and url else None,
    }


def render_manifest(mode: str, url: str | None = None) -> str:
    """The manifest as YAML text. HTTP mode needs `url`; the result always parses as YAML."""
    if mode == "http" and not url:
        raise ManifestError(say("manifest-url-missing"))
    env = Environment(
        loader=FileSystemLoader(manifests_dir()),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # A JSON string is a valid YAML scalar: any text (colons, quotes, `#`, `<plugin>`) is safe.
    env.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)
    text = env.get_template(f"manifest.{mode}.yaml").render(**manifest_context(mode, url))
    yaml.safe_load(text)  # a template mistake fails here, not in Slack's manifest editor
    return text


@click.command()
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="socket",
    show_default=True,
    help="socket: the bot connects out to Slack (no public URL). http: Slack calls --url.",
)
@click.option(
    "--url",
    metavar="URL",
    help="HTTP mode: the bot's public HTTPS URL, e.g. https://netplugin.example.com "
    f"(Slack posts to URL{ids.EVENTS_PATH}).",
)
def manifest(mode: str, url: str | None) -> None:
    """Print the Slack app manifest: paste it into Create New App → From a manifest."""
    if mode == "http" and not url:
        raise click.UsageError(say("manifest-http-needs-url"))
    if mode == "socket" and url:
        raise click.UsageError(say("manifest-url-in-socket-mode"))
    try:
        text = render_manifest(mode, url)
    except ManifestError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(text, nl=False)
