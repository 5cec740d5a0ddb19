"""`netplugin serve` with no Slack token: the playground, on 127.0.0.1, printing its URL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from urllib.parse import urlencode

import pytest
from processes import free_port, serve_env
from waiting import eventually

from bot.decisions import DecisionLog


def _serve(args: list[str], cwd, extra_env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    env = serve_env(**extra_env)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = ""
    while "http://" not in seen:  # the line with the URL, once everything listens
        line = process.stdout.readline()
        assert line, seen + (process.stdout.read() or "")
        seen += line
    assert process.poll() is None, seen
    return process, seen


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    return process.communicate(timeout=10)[0]


@pytest.mark.slow
def test_serve_without_tokens_starts_the_playground(tmp_path):
    port = free_port()
    process, line = _serve([], tmp_path, {"PORT": str(port)})
    try:
        url = f"http://127.0.0.1:{port}"
        assert url in line and "playground" in line
        with urllib.request.urlopen(url + "/c/C0GENERAL", timeout=5) as response:
            assert "NetPlugin Advisor playground" in response.read().decode()
        request = urllib.request.Request(
            url + "/c/C0GENERAL/send",
            data=urlencode({"text": "/netplugin location=ens nodes=500 integrations=nlb"}).encode(),
            headers={"X-Playground": "1"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"ok": True}
        db = tmp_path / "playground.db"  # the default, in the working directory

        def posted_decision():
            log = DecisionLog(db)
            found = log.get(1)
            log.close()
            return found if found is not None and found.message_ts else None

        found = eventually(
            posted_decision, timeout=10, interval=0.1, message="no decision in playground.db"
        )
        assert found.plugin == "terway-edge"
    finally:
        output = _stop(process)
    assert "Traceback" not in output


@pytest.mark.slow
def test_mode_playground_wins_over_tokens_and_honours_netplugin_db(tmp_path):
    port = free_port()
    db = tmp_path / "elsewhere.db"
    env = {
        "SLACK_BOT_TOKEN": "xoxb-real-looking-token",
        "SLACK_SIGNING_SECRET": "real-secret",
        "NETPLUGIN_DB": str(db),
    }
    process, line = _serve(["--mode", "playground", "--port", str(port)], tmp_path, env)
    try:
        assert f"http://127.0.0.1:{port}" in line and str(db) in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
    finally:
        output = _stop(process)
    assert "xoxb-real-looking-token" not in output and "real-secret" not in output
    assert db.exists() and not (tmp_path / "playground.db").exists()


@pytest.mark.slow
def test_a_busy_port_is_said_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = serve_env()
        result = subprocess.run(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
