"""`netplugin doctor`: is the configuration ready for `netplugin serve`? One line per check,
what to fix on the FIX lines (templates/cli/doctor.txt.j2); exit 0 when nothing is to fix, 1
otherwise. Tokens are named, never printed.

Checks: the tokens the mode needs are set and look like what they should be; Slack accepts the
bot token (auth.test at SLACK_API_URL; when it does not, what failed in the words `netplugin
serve` uses: bot/runtime/reach.py) and grants every scope the app asks for (auth.test's
`x-oauth-scopes` header against bot/slack/ids.BOT_SCOPES); the decision log at NETPLUGIN_DB can
be written (a write rolled back) and which migrations the next start applies, or, when it does
not exist yet, that it can be created and written (its missing directories and the file are
made, written and removed again); the knowledge is valid. Nothing is migrated, and nothing is
left behind.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from bot.render.messages import say
from bot.settings import REQUIRED, InvalidSettings, Settings, load

TOKEN_PREFIXES = {
    "SLACK_BOT_TOKEN": ("xoxb-", "it should be the Bot User OAuth Token (xoxb-…), not a user "
                        "(xoxp-) or app-level (xapp-) token."),
    "SLACK_APP_TOKEN": ("xapp-", "Socket Mode needs an app-level token (xapp-…) with the "
                        "connections:write scope, from the app's Basic Information page."),
}  # fmt: skip


@dataclass
class Finding:
    code: str
    ok: bool | None  # True: passed; False: to fix; None: a note
    params: dict[str, Any] = field(default_factory=dict)


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name.lower())
    return value.get_secret_value() if value is not None else ""


def check_tokens(settings: Settings, mode: str) -> list[Finding]:
    found = []
    for name in REQUIRED[mode]:
        value = _secret(settings, name)
        if not value:
            found.append(Finding("setting-missing", False, {"name": name, "mode": mode}))
            continue
        found.append(Finding("setting-set", True, {"name": name}))
        if name in TOKEN_PREFIXES and not value.startswith(TOKEN_PREFIXES[name][0]):
            prefix, hint = TOKEN_PREFIXES[name]
            found.append(
                Finding("token-kind", False, {"name": name, "prefix": prefix, "hint": hint})
            )
    if mode == "socket" and _secret(settings, "SLACK_APP_TOKEN"):
        found.append(Finding("app-token-unverified", None))
    return found


def check_slack(settings: Settings) -> list[Finding]:
    """auth.test with the bot token, then the granted scopes from its response header."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackClientError

    from bot.runtime.reach import WEB_API_TIMEOUT, describe
    from bot.slack.ids import BOT_SCOPES

    token = _secret(settings, "SLACK_BOT_TOKEN")
    url = settings.api_url
    if not token:
        return [Finding("auth-skipped", None)]
    client = WebClient(token=token, base_url=url, timeout=WEB_API_TIMEOUT)
    try:
        response = client.auth_test()
    except (SlackClientError, OSError) as exc:  # as `netplugin serve` says it
        failure = describe(exc, url, seconds=WEB_API_TIMEOUT)
        return [Finding("slack-failed", False, {"code": failure.code, "params": failure.params})]
    found = [
        Finding(
            "auth-ok",
            True,
            {
                "url": url,
                "team": response.get("team"),
                "team_id": response.get("team_id"),
                "user_id": response.get("user_id"),
            },
        )
    ]
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    header = headers.get("x-oauth-scopes")
    if isinstance(header, list):
        header = ",".join(header)
    if header is None:
        return [*found, Finding("scopes-unknown", None)]
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in granted]
    extra = sorted(granted - set(BOT_SCOPES))
    if missing:
        found.append(Finding("scopes-missing", False, {"missing": missing}))
    else:
        found.append(Finding("scopes-ok", True, {"needed": list(BOT_SCOPES)}))
    if extra:
        found.append(Finding("scopes-extra", None, {"extra": extra}))
    return found


def try_create(path: Path) -> str | None:
    """Make the missing directories of `path` and the file itself, write to it, and remove all
    that was made: None when it worked, else why not (what the operating system said)."""
    made: list[Path] = []
    created = False
    try:
        for directory in reversed(path.parents):  # the outermost first
            if not directory.exists():
                directory.mkdir()
                made.append(directory)
        with open(path, "xb") as probe:
            created = True
            probe.write(b"netplugin doctor: can this path be written?\n")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        if created:
            with contextlib.suppress(OSError):
                path.unlink()
        for directory in reversed(made):
            with contextlib.suppress(OSError):
                directory.rmdir()
    return None


def check_database(path_setting: str) -> list[Finding]:
    """Writable (a write rolled back) and which migrations are pending; creates nothing."""
    from sqlite_utils import Database

    from bot.decisions.migrations import migrations

    if path_setting == ":memory:":
        return [Finding("db-memory", None)]
    path = Path(path_setting)
    if not path.exists():
        existing = path.parent
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            return [Finding("db-no-directory", False, {"existing": str(existing), "is_dir": False})]
        error = try_create(path)
        if error is not None:
            params = {"path": str(path), "directory": str(path.parent), "error": error}
            return [Finding("db-cannot-create", False, params)]
        return [Finding("db-new", True, {"path": str(path), "directory": str(path.parent)})]
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return [Finding("db-not-writable", False, {"path": str(path), "error": str(exc)})]
    try:
        try:
            db = Database(conn)
            pending = [m.name for m in migrations.pending(db)]
            applied = len(migrations.applied(db))
        except sqlite3.Error as exc:
            return [Finding("db-unreadable", False, {"path": str(path), "error": str(exc)})]
        try:
            conn.execute("PRAGMA busy_timeout=2000")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE _doctor_write_check (x)")  # rolled back just below
        except sqlite3.Error as exc:
            return [Finding("db-not-writable", False, {"path": str(path), "error": str(exc)})]
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    finally:
        conn.close()
    if pending:
        return [Finding("db-pending", None, {"path": str(path), "pending": pending})]
    return [Finding("db-ok", True, {"path": str(path), "applied": applied})]


def check_knowledge() -> list[Finding]:
    from bot.core.knowledge import KnowledgeError, load_knowledge

    try:
        kb = load_knowledge()
    except KnowledgeError as exc:
        error = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        return [Finding("knowledge-invalid", False, {"error": error})]
    return [Finding("knowledge-ok", True, {"version": kb.version, "directory": kb.directory})]


def diagnose(settings: Settings, mode: str | None) -> tuple[str | None, list[Finding]]:
    chosen = mode or settings.mode()
    found: list[Finding] = []
    if chosen is None:
        found.append(
            Finding("no-token", False, {"socket": REQUIRED["socket"], "http": REQUIRED["http"]})
        )
    else:
        found.append(
            Finding(
                "mode", None, {"mode": chosen, "needed": REQUIRED[chosen], "explicit": bool(mode)}
            )
        )
        found += check_tokens(settings, chosen)
        found += check_slack(settings)
    found += check_database(settings.netplugin_db)
    found += check_knowledge()
    return chosen, found


@click.command()
@click.option(
    "--mode",
    type=click.Choice(["http", "socket"]),
    default=None,
    help="The mode to check for (default: as `netplugin serve` would choose from the tokens).",
)
def doctor(mode: str | None) -> None:
    """Check the configuration before `netplugin serve`: tokens, scopes, database, knowledge."""
    from bot.render.environment import render_text

    try:
        settings = load()
    except InvalidSettings as exc:  # one finding, in the doctor's own words and layout
        invalid = [Finding("invalid-setting", False, {"names": exc.names})]
        click.echo(render_text("cli/doctor.txt.j2", findings=invalid, fixes=1, mode=None, say=say))
        sys.exit(1)
    chosen, findings = diagnose(settings, mode)
    fixes = sum(1 for f in findings if f.ok is False)
    click.echo(
        render_text("cli/doctor.txt.j2", findings=findings, fixes=fixes, mode=chosen, say=say)
    )
    sys.exit(1 if fixes else 0)
