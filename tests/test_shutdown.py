"""`netplugin serve --mode http` as a process, as Kubernetes runs it: JSON logs on stderr without
secrets, /metrics over HTTP, and SIGTERM while a card is being posted (the card is posted, its
ts is in the decision log, the process exits 0)."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys

import pytest
from processes import free_port, serve_env, wait_for_http

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.slack import ids


@pytest.mark.slow
def test_sigterm_finishes_the_card_being_posted_and_logs_are_json_without_secrets(tmp_path):
    bot_token = f"xoxb-{secrets.token_hex(8)}-{secrets.token_hex(8)}"
    signing_secret = f"sig-{secrets.token_hex(16)}"
    db = tmp_path / "decisions.db"
    with FakeSlack(bot_token=bot_token) as fake:
        port = free_port()
        env = serve_env(
            SLACK_BOT_TOKEN=bot_token,
            SLACK_SIGNING_SECRET=signing_secret,
            SLACK_API_URL=fake.api_url,
            NETPLUGIN_DB=str(db),
        )
        cmd = [sys.executable, "-m", "bot", "serve", "--mode", "http"]
        cmd += ["--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(base + "/readyz", process)
            driver = SlackDriver(base + ids.EVENTS_PATH, signing_secret, fake)

            # A slash command, then a button on its card, then a Web API error.
            assert driver.send_slash("400 nodes, need NLB").status == 200
            card = fake.wait_for("chat.postMessage")
            message = fake.workspace.channels["C0GENERAL"].message(card.response["ts"])
            assert driver.click(message, ids.EXPLAIN).status == 200
            fake.wait_for("chat.postMessage", count=2)
            fake.fail_next("chat.postMessage", error="not_in_channel")
            assert driver.send_slash("need ECI").status == 200
            fake.wait_for("chat.postMessage", ok=False)
            assert driver.send_slash("x=y", signed=False).status == 401  # a forged request

            # SIGTERM while the next card is being posted.
            arrived = fake.slow_next("chat.postMessage", 1.5)
            assert driver.send_slash("no BGP, 50 nodes").status == 200
            assert arrived.wait(10), "the card was never posted"
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=25)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0, stderr[-2000:]

        posts = [c for c in fake.calls_to("chat.postMessage") if c.ok]
        last_card = posts[-1]

    log = DecisionLog(str(db))
    try:
        decisions = log.query()
        assert [d.raw_text for d in decisions if d.source == "slash"][-1] == "no BGP, 50 nodes"
        assert decisions[-1].message_ts == last_card.response["ts"]  # posted, and attached
    finally:
        log.close()
    assert (
        not (tmp_path / "decisions.db-wal").exists()
        or (tmp_path / "decisions.db-wal").stat().st_size == 0
    )  # checkpointed at close

    # stderr: one JSON object per line, no token, no signing secret.
    assert bot_token not in stderr and signing_secret not in stderr
    assert bot_token not in stdout and signing_secret not in stdout
    lines = stderr.splitlines()
    records = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    assert all(isinstance(r, dict) and {"ts", "level", "msg"} <= r.keys() for r in records)
    requests = [r for r in records if r["msg"] == "request"]
    by_surface = {}
    for r in requests:
        by_surface.setdefault(r["surface"], []).append(r)
    commands = by_surface["command"]
    assert len(commands) == 3
    # Logged when each one's work is done: the failed post's fallback may finish last but one.
    assert sorted(r["outcome"] for r in commands) == ["ok", "ok", "slack_error"]
    assert commands[-1]["outcome"] == "ok"  # the card posted during the shutdown
    assert all(r["decision_id"] for r in commands)
    # The forged one was refused before Bolt, in one line that says nothing of its body.
    (forged,) = by_surface["refused"]
    assert (forged["reason"], forged["status"], forged["outcome"]) == ("signature", 401, "rejected")
    assert "x%3Dy" not in stderr and "x=y" not in stderr
    assert by_surface["action"][0]["slack_id"] == ids.EXPLAIN
    assert all(isinstance(r["latency_ms"], int | float) for r in requests)
    assert by_surface["health"], "the readiness probes are logged too"
    messages = [r["msg"] for r in records]
    assert "shutdown: draining" in messages and "shutdown: done" in messages
    assert messages.index("shutdown: draining") < messages.index("shutdown: done")
    assert "HTTP mode" in stdout  # the one human line, on stdout
