"""`preflight check --report URL`: the results, POSTed to the bot for the decision's thread.

The standard library's urllib, JSON in and out, one request with a time limit, no redirects
followed (a report goes where it was sent or nowhere). The bot checks the token, the nonce and
the time, records the results and posts them in the decision's thread (bot/runtime,
bot/slack): what it answers is printed as it said it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from bot.core.preflight import ItemResult, Report

PATH = "/preflight/report"  # on the bot's HTTP server
MAX_ANSWER = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[override]
        return None


@dataclass(frozen=True)
class Answer:
    accepted: bool
    status: int  # the HTTP status, 0 when the bot could not be reached
    reason: str  # what the bot said (its `reason`, `message` or `error`, or its body)


def report_url(url: str) -> str | None:
    """The URL to POST to: http(s) only; a URL with no path gets the bot's endpoint."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path in ("", "/"):
        parts = parts._replace(path=PATH)
    return urllib.parse.urlunsplit(parts)


def build(decision: int, token: str, results: list[ItemResult], by: str = "") -> Report:
    return Report(
        decision=decision,
        token=token,
        nonce=secrets.token_hex(16),
        sent_at=dt.datetime.now(dt.UTC),
        host=socket.gethostname(),
        by=by,
        results=results,
    )


def _reason(body: bytes) -> str:
    text = body[:MAX_ANSWER].decode("utf-8", "replace")
    try:
        said = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(said, dict):
        for key in ("reason", "message", "error", "text"):
            if isinstance(said.get(key), str):
                return said[key]
    return text.strip()


def send(url: str, report: Report, *, timeout: float = 10.0) -> Answer:
    request = urllib.request.Request(
        url,
        data=report.model_dump_json().encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(True, response.status, _reason(response.read(MAX_ANSWER)))
    except urllib.error.HTTPError as exc:
        return Answer(False, exc.code, _reason(exc.read(MAX_ANSWER)) or str(exc.reason))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(False, 0, str(reason))
