"""Start-up errors say what failed (issue 14): where `netplugin serve` and `netplugin doctor` call
auth.test, a name that does not resolve, a refused connection, a timeout, a TLS failure, an HTTP
status from a URL that is not Slack's Web API and a refused token are each their own sentence,
naming SLACK_API_URL's host and never the token; serve exits 2, doctor 1, without a traceback.

Every address is on loopback or cannot resolve: `.invalid` never does (RFC 2606), without
asking any DNS server outside; a port nobody listens on refuses; https:// to the fake Slack's
plain-HTTP port fails the TLS handshake; a socket that accepts and never answers times out."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.error import URLError

import pytest
from click.testing import CliRunner
from processes import PROXIES, serve_env
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web import SlackResponse

from bot.cli import main
from bot.fakeslack import FakeSlack
from bot.runtime import app as runtime_app
from bot.runtime.app import StartFailed, authorize_once
from bot.runtime.reach import describe

TOKEN = "xoxb-1234-startup-errors-token"
SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
SETTINGS += ("PORT", "NETPLUGIN_DB", "NETPLUGIN_HEALTH_PORT")


@pytest.fixture
def fake():
    with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def env(monkeypatch, tmp_path):
    """The bot's settings, and no proxy: the client must try the address itself. serve retries
    a connection twice, as always, without the back-off's waits (a second or two per case)."""
    for name in SETTINGS + PROXIES:
        monkeypatch.delenv(name, raising=False)
    at_once = FixedValueRetryIntervalCalculator(0.0)
    handlers = runtime_app.retry_handlers
    monkeypatch.setattr(
        runtime_app,
        "retry_handlers",
        lambda: [
            ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=at_once),
            *handlers()[1:],
        ],
    )
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "startup-errors-secret")
    monkeypatch.setenv("NETPLUGIN_DB", str(tmp_path / "decisions.db"))
    return monkeypatch


def nobody_listens() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed: connecting is refused


# name: (SLACK_API_URL from the fake's, the token, what the fake answers, expected words)
CASES = {
    "dns": (
        lambda fake: "https://slack.invalid/api/",
        TOKEN,
        None,
        ["the name slack.invalid does not resolve", "SLACK_API_URL is https://slack.invalid/api/"],
    ),
    "refused": (
        lambda fake: f"http://127.0.0.1:{nobody_listens()}/api/",
        TOKEN,
        None,
        ["127.0.0.1 refused the connection on port", "nothing listens there"],
    ),
    "tls": (
        lambda fake: fake.api_url.replace("http://", "https://"),
        TOKEN,
        None,
        ["The TLS handshake with 127.0.0.1", "is SLACK_API_URL https:// for a service"],
    ),
    "http-404": (
        lambda fake: fake.api_url.replace("/api/", "/not-the-api/"),
        TOKEN,
        None,
        ["answered HTTP 404", "to auth.test: that is not Slack's Web API"],
    ),
    "invalid_auth": (
        lambda fake: fake.api_url,
        "xoxb-9999-not-the-token",
        None,
        ["Slack refused SLACK_BOT_TOKEN (invalid_auth) at 127.0.0.1", "OAuth & Permissions"],
    ),
    "account_inactive": (
        lambda fake: fake.api_url,
        TOKEN,
        "account_inactive",
        ["Slack refused SLACK_BOT_TOKEN (account_inactive)", "the app was uninstalled"],
    ),
}


def _arrange(env, fake, case: str) -> list[str]:
    url, token, answer, words = CASES[case]
    env.setenv("SLACK_API_URL", url(fake))
    env.setenv("SLACK_BOT_TOKEN", token)
    if answer:
        fake.fail_next("auth.test", error=answer)
    return words


@pytest.mark.parametrize("case", list(CASES))
def test_serve_says_what_failed_in_one_sentence_without_the_token(env, fake, case):
    words = _arrange(env, fake, case)
    result = CliRunner().invoke(main, ["serve", "--mode", "http", "--host", "127.0.0.1"])
    assert result.exit_code == 2, result.output
    said = [line for line in result.output.splitlines() if not line.startswith("{")]
    assert len(said) == 1, result.output  # one sentence (JSON log lines aside)
    for word in words:
        assert word in said[0]
    assert "Slack refused" not in said[0] or case in ("invalid_auth", "account_inactive")
    assert TOKEN not in result.output and "xoxb-9999" not in result.output
    assert "Traceback" not in result.output


# The same function reads every failure (serve's cases above); doctor's client retries a refused
# or TLS-failed connection with slack_sdk's own back-off, a second each: three cases show it.
@pytest.mark.parametrize("case", ["dns", "http-404", "invalid_auth"])
def test_doctor_says_the_same_sentence(env, fake, case):
    words = _arrange(env, fake, case)
    result = CliRunner().invoke(main, ["doctor", "--mode", "http"])
    assert result.exit_code == 1, result.output
    (fix,) = [line for line in result.output.splitlines() if line.startswith("FIX")]
    for word in words:
        assert word in fix
    assert TOKEN not in result.output and "Traceback" not in result.output


def test_each_failure_is_a_different_sentence():
    url = "https://slack.example/api/"

    def api_error(status: int, error: str) -> SlackApiError:
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url=url + "auth.test",
            req_args={},
            data={"ok": False, "error": error},
            headers={},
            status_code=status,
        )
        return SlackApiError("refused", response)

    errors = {
        "dns": URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
        "refused": URLError(ConnectionRefusedError(111, "Connection refused")),
        "timeout": TimeoutError("timed out"),
        "connect-timeout": URLError(TimeoutError("timed out")),
        "tls": URLError(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")),
        "certificate": URLError(ssl.SSLCertVerificationError(1, "certificate verify failed")),
        "proxy": URLError(OSError("Tunnel connection failed: 407 Proxy Authentication Required")),
        "closed": URLError(ConnectionResetError(104, "Connection reset by peer")),
        "404": api_error(404, "unknown_path"),
        "503": api_error(503, "service_unavailable"),
        "429": api_error(429, "ratelimited"),
        "token": api_error(200, "invalid_auth"),
        "other": api_error(200, "fatal_error"),
    }
    said = {name: describe(exc, url, seconds=10).sentence() for name, exc in errors.items()}
    assert said["timeout"] == said["connect-timeout"]
    del said["connect-timeout"]
    assert len(set(said.values())) == len(said), said
    assert all("slack.example" in sentence for sentence in said.values())
    assert sum("refused" in sentence for sentence in said.values()) == 2  # the token; port


@pytest.mark.slow
def test_serve_as_a_process_exits_2_with_the_sentence_and_no_traceback(tmp_path):
    env = serve_env(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="startup-errors-secret",
        SLACK_API_URL="https://slack.invalid/api/",
        NETPLUGIN_DB=str(tmp_path / "decisions.db"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--mode", "http", "--host", "127.0.0.1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    said = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(said) == 1 and "the name slack.invalid does not resolve" in said[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert TOKEN not in result.stderr + result.stdout
    assert not (tmp_path / "decisions.db").exists()  # nothing started


def test_socket_mode_names_the_app_token_when_slack_refuses_it(env, fake, tmp_path):
    """apps.connections.open with an app token the fake does not know: SLACK_APP_TOKEN named,
    with the kind of token it must be."""
    env.setenv("SLACK_API_URL", fake.api_url)
    env.setenv("SLACK_BOT_TOKEN", TOKEN)
    env.setenv("SLACK_APP_TOKEN", "xapp-1-A0-not-the-app-token")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        env.setenv("NETPLUGIN_HEALTH_PORT", str(probe.getsockname()[1]))
    fake.fail_next("apps.connections.open", error="invalid_auth")
    result = CliRunner().invoke(main, ["serve", "--mode", "socket", "--host", "127.0.0.1"])
    assert result.exit_code == 2, result.output
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.output
    assert "connections:write" in result.output
    assert "xapp-1-A0-not-the-app-token" not in result.output and TOKEN not in result.output


# --- what describe() makes of each error, where serve would wait or retry for long -----------


@contextmanager
def silent_listener() -> Iterator[int]:
    """A socket that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_timeout_is_said_with_the_seconds(monkeypatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    with silent_listener() as port:
        url = f"http://127.0.0.1:{port}/api/"
        client = WebClient(token=TOKEN, base_url=url, timeout=0.3, retry_handlers=[])
        with pytest.raises(StartFailed) as failed:
            authorize_once(client)
    failure = failed.value.failure
    assert failure.code == "start-timeout"
    assert "127.0.0.1 did not answer within 0.3 s" in failure.sentence()
    assert TOKEN not in failure.sentence() and TOKEN not in str(failed.value)


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (503, "start-slack-trouble", "answered HTTP 503 to auth.test, after retries"),
        (429, "start-rate-limited", "is rate-limiting auth.test (HTTP 429)"),
        (401, "start-http-status", "answered HTTP 401 (invalid_auth) to auth.test"),
    ],
)
def test_an_http_status_is_not_a_refused_token(fake, monkeypatch, status, code, words):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    fake.fail_next("auth.test", error="invalid_auth", status=status)
    client = WebClient(token=TOKEN, base_url=fake.api_url, timeout=5, retry_handlers=[])
    with pytest.raises(StartFailed) as failed:
        authorize_once(client)
    assert failed.value.failure.code == code
    assert words in failed.value.failure.sentence()


def test_the_url_is_shown_without_credentials_or_query():
    url = "https://user:hunter2@slack.invalid:8443/api/?token=xoxb-in-the-query"
    failure = describe(URLError(socket.gaierror(-2, "Name or service not known")), url)
    sentence = failure.sentence()
    assert "hunter2" not in sentence and "xoxb-in-the-query" not in sentence
    assert "https://slack.invalid:8443/api/" in sentence and "user name or password" in sentence


def test_a_proxy_that_will_not_tunnel_and_a_closed_connection():
    url = "https://slack.com/api/"
    proxy = describe(URLError(OSError("Tunnel connection failed: 403 Forbidden")), url)
    assert proxy.code == "start-proxy" and "403 Forbidden" in proxy.sentence()
    assert "NO_PROXY" in proxy.sentence()
    closed = describe(URLError(ConnectionResetError(104, "Connection reset by peer")), url)
    assert closed.code == "start-closed" and "slack.com closed the connection" in closed.sentence()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """A certificate and key for 127.0.0.1 that nothing trusts (openssl; skipped without it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to make a self-signed certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def test_a_certificate_not_trusted_says_so(self_signed, monkeypatch):
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)
    cert, key = self_signed
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]

        def handshake_once() -> None:
            conn, _ = sock.accept()
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass  # the client gives up on our certificate: that is the point

        server = threading.Thread(target=handshake_once, daemon=True)
        server.start()
        url = f"https://127.0.0.1:{port}/api/"
        client = WebClient(token=TOKEN, base_url=url, timeout=5, retry_handlers=[])
        with pytest.raises(StartFailed) as failed:
            authorize_once(client)
        server.join(5)
    failure = failed.value.failure
    assert failure.code == "start-tls-certificate", failure
    assert "The certificate of 127.0.0.1 is not trusted here" in failure.sentence()
    assert "SSL_CERT_FILE" in failure.sentence()
