"""What a failed call to Slack's Web API means, in words a person can act on: `netplugin serve`
and `netplugin doctor` call auth.test at start, and a failure there says what failed.

    failure = describe(exc, settings.api_url, seconds=10)
    failure.code, failure.params      # "start-dns", {"host": "slack.invalid", ...}
    failure.sentence()                # templates/messages.yaml, "start-…"

slack_sdk raises two kinds of error. A SlackApiError has an HTTP answer: 200 with `ok: false`
is Slack's word on the token (`invalid_auth`, `not_authed`, `account_inactive`, ...); another
status means the URL is not Slack's Web API (a 404 from a wrong SLACK_API_URL, a proxy's page)
or that Slack is in trouble (5xx, 429, after the client's retries). Without an answer the
error is urllib's URLError around the socket's reason, or that reason itself (a read timeout):
a name that does not resolve (socket.gaierror), a refused connection, a timeout, a TLS
failure (ssl.SSLError; a certificate not trusted is ssl.SSLCertVerificationError), a proxy's
refusal to tunnel. Each is its own sentence, naming the URL's host and SLACK_API_URL without
any credentials it may carry, and never the token.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.render.messages import say

# auth.test's errors that mean "this token is not accepted" (api.slack.com/methods/auth.test).
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "org_login_required",
        "ekm_access_denied",
        "team_access_not_granted",
        "not_allowed_token_type",  # apps.connections.open given a bot token, say
    }
)
WEB_API_TIMEOUT = 10  # seconds, each Web API call's (bot/runtime/app.py, netplugin doctor)
SLACK_ERROR = re.compile(r"^[a-z][a-z0-9_]{0,60}$")  # Slack's error codes; not a page's text


@dataclass(frozen=True)
class Failure:
    code: str  # a key of templates/messages.yaml
    params: dict[str, Any] = field(default_factory=dict)

    def sentence(self) -> str:
        return say(self.code, **self.params)


def shown_url(url: str) -> tuple[str, str, int | None]:
    """`url` as it may be shown (scheme, host, port and path: no user, password or query), its
    host, and its port (the scheme's default when none is given)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:  # a port that is not a number
        port = None
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    shown = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else host + parts.path
    return shown, host, port


def _reason(exc: BaseException) -> BaseException:
    """The socket-level reason under urllib's URLError (or the error itself)."""
    if isinstance(exc, URLError) and isinstance(exc.reason, BaseException):
        return exc.reason
    return exc


def _words(exc: BaseException) -> str:
    """What the operating system or the TLS library said, without a Python class name."""
    for attribute in ("verify_message", "reason"):  # ssl's, when the TLS library gives them
        said = getattr(exc, attribute, None) if isinstance(exc, ssl.SSLError) else None
        if said:
            return str(said)
    if isinstance(exc, OSError) and exc.strerror:
        return str(exc.strerror)
    text = str(exc.reason if isinstance(exc, URLError) else exc).strip()
    return text or type(exc).__name__


def describe(
    exc: BaseException,
    url: str,
    *,
    seconds: float | None = None,
    setting: str = "SLACK_BOT_TOKEN",
    method: str = "auth.test",
) -> Failure:
    """What `exc`, raised by `method` of the Web API at `url`, means. `seconds`: the client's
    timeout; `setting`: the token the call was made with (its name, never its value)."""
    shown, host, port = shown_url(url)
    where = {"url": shown, "host": host, "port": port, "method": method}
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = response.status_code
        data = response.data if isinstance(response.data, dict) else {}
        error = data.get("error")
        error = error if isinstance(error, str) and SLACK_ERROR.match(error) else None
        if status == 200:
            if error in TOKEN_ERRORS:
                return Failure("start-token-refused", {**where, "error": error, "setting": setting})
            return Failure("start-api-error", {**where, "error": error or "unknown"})
        if status == 429:
            return Failure("start-rate-limited", {**where, "status": status})
        if status >= 500:
            return Failure("start-slack-trouble", {**where, "status": status})
        return Failure("start-http-status", {**where, "status": status, "error": error})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not host or parts.username is not None:
        # urllib calls no such URL (and takes no user:password@ in it): its error repeats the URL
        return Failure("start-bad-url", {**where, "credentials": parts.username is not None})
    if isinstance(exc, SlackRequestError):
        return Failure("start-bad-url", {**where, "credentials": False})
    reason = _reason(exc)
    words = _words(reason)
    if isinstance(reason, socket.gaierror):
        return Failure("start-dns", {**where, "reason": words})
    if isinstance(reason, ConnectionRefusedError):
        return Failure("start-refused", {**where, "reason": words})
    if isinstance(reason, TimeoutError):
        return Failure("start-timeout", {**where, "seconds": seconds})
    if isinstance(reason, ssl.SSLCertVerificationError):
        return Failure("start-tls-certificate", {**where, "reason": words})
    if isinstance(reason, ssl.SSLError):
        plain = "WRONG_VERSION_NUMBER" in str(reason) or "wrong version number" in str(reason)
        return Failure("start-tls", {**where, "reason": words, "plain": plain})
    if isinstance(reason, OSError) and str(reason).startswith("Tunnel connection failed"):
        return Failure("start-proxy", {**where, "reason": str(reason).split(":", 1)[-1].strip()})
    if isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
        return Failure("start-closed", where)
    return Failure("start-unreachable", {**where, "reason": words})
