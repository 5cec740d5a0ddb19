"""`netplugin serve`: settings from the environment, clear failures, a real HTTP start."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from processes import free_port, serve_env, wait_for_http

from bot.cli import main
from bot.fakeslack import FakeSlack, SlackDriver
from bot.settings import Settings

ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_read_the_environment_and_hide_secrets(clean_env) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    clean_env.setenv("SLACK_SIGNING_SECRET", "shh")
    clean_env.setenv("PORT", "8080")
    settings = Settings()
    assert settings.port == 8080 and settings.mode() == "http"
    assert "xoxb-secret-value" not in repr(settings) and "shh" not in str(settings)
    assert settings.slack_api_url == "https://slack.com/api/"
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert Settings().mode() == "socket"


@pytest.mark.parametrize(
    ("env", "mode", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-secret-value"}, None, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_SIGNING_SECRET": "s3cr3t"}, "http", "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-secret-value"}, "socket", "SLACK_APP_TOKEN is not set"),
        ({"SLACK_APP_TOKEN": "xapp-secret"}, None, "SLACK_BOT_TOKEN is not set: socket mode"),
        # No token at all starts the playground: tests/test_playground_serve.py.
    ],
)
def test_a_missing_setting_is_named_in_one_line_with_exit_code_2(
    clean_env, env, mode, expected
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    args = ["serve", *(["--mode", mode] if mode else [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1
    for value in env.values():
        assert value not in result.output


def test_a_refused_token_is_reported_without_the_token(clean_env) -> None:
    with FakeSlack() as fake:
        clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-token")
        clean_env.setenv("SLACK_SIGNING_SECRET", "s3cr3t")
        clean_env.setenv("SLACK_API_URL", fake.api_url)
        result = CliRunner().invoke(main, ["serve", "--host", "127.0.0.1"])
    assert result.exit_code == 2
    assert "invalid_auth" in result.output and "xoxb-wrong-token" not in result.output


@pytest.mark.slow
def test_serve_http_answers_slack_end_to_end(tmp_path) -> None:
    with FakeSlack() as fake:
        port = free_port()
        env = serve_env(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET="s3cr3t",
            SLACK_API_URL=fake.api_url,
            NETPLUGIN_DB=str(tmp_path / "decisions.db"),
        )
        cmd = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(base + "/healthz", process)
            assert len(fake.calls_to("auth.test")) == 1
            driver = SlackDriver(base + "/slack/events", "s3cr3t", fake)
            assert driver.send_slash("need NLB").status == 200
            assert driver.send_slash("need ECI").status == 200
            fake.wait_for("chat.postMessage", count=2)
            assert len(fake.calls_to("auth.test")) == 1  # no request path calls auth.test
        finally:
            process.terminate()
            output = process.communicate(timeout=10)[0]
        assert "s3cr3t" not in output and fake.bot_token not in output
        assert (tmp_path / "decisions.db").exists()


def test_http_mode_serves_with_start_up_frozen_on_uvloop(monkeypatch) -> None:
    """run_http takes what start-up built out of the collector's reach before it serves (a full
    collection walked it all, on the event loop: bench/ack_latency.py), and uvicorn runs the
    server on uvloop, a runtime dependency."""
    import asyncio
    import gc
    import urllib.request

    from slack_bolt import App

    from bot.runtime import lifecycle
    from bot.runtime.server import serve_in_thread

    seen: list[int] = []
    monkeypatch.setattr(
        lifecycle.GracefulServer,
        "run",
        lambda self, sockets=None: seen.append(gc.get_freeze_count()),
    )
    monkeypatch.setattr(lifecycle.Shutdown, "finish", lambda self: 0)
    app = App(token="xoxb-t", signing_secret="s", token_verification_enabled=False)
    try:
        assert lifecycle.run_http(app, "127.0.0.1", 0) == 0
    finally:
        gc.unfreeze()
    assert seen and seen[0] > 0

    async def loop_kind(scope, receive, send):
        kind = type(asyncio.get_running_loop()).__module__.encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": kind})

    server = serve_in_thread(loop_kind)
    try:
        with urllib.request.urlopen(server.url, timeout=5) as answer:
            assert answer.read().startswith(b"uvloop")
    finally:
        server.stop()
