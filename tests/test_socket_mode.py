"""`netplugin serve --mode socket` as a process, against the fake Slack's Socket Mode websocket:
apps.connections.open with the app-level token, "hello", a /netplugin slash command pushed in an
envelope and acknowledged over the websocket, the card posted through the Web API, the decision
logged with the card's ts, its Explain button clicked (an `interactive` envelope), a preflight
report POSTed to the health port and said in the card's thread, then SIGTERM and exit 0.
Everything on 127.0.0.1."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

import pytest
from fakeslack_socket import SocketModeSlack
from processes import free_port, serve_env, wait_for_http
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from waiting import eventually

from bot.decisions import DecisionLog
from bot.decisions.preflight import token_for
from bot.fakeslack import SlackDriver
from bot.slack import ids


def wait_for_health(base: str, process: subprocess.Popen, path: str, timeout: float = 15) -> dict:
    """GET base+path until 200; its JSON body, if any."""
    body = wait_for_http(base + path, process, timeout)
    return json.loads(body) if body.startswith(b"{") else {}


@pytest.mark.slow
def test_socket_mode_answers_a_slash_command_and_stops_on_sigterm(tmp_path):
    bot_token = f"xoxb-{secrets.token_hex(8)}-{secrets.token_hex(8)}"
    app_token = f"xapp-1-A0NETPLUG-{secrets.token_hex(8)}"
    db = tmp_path / "decisions.db"
    with SocketModeSlack(bot_token=bot_token, app_token=app_token) as fake:
        health_port = free_port()
        env = serve_env(
            SLACK_BOT_TOKEN=bot_token,
            SLACK_APP_TOKEN=app_token,
            SLACK_API_URL=fake.api_url,
            NETPLUGIN_DB=str(db),
            NETPLUGIN_HEALTH_PORT=str(health_port),
        )
        cmd = [sys.executable, "-m", "bot", "serve", "--mode", "socket", "--host", "127.0.0.1"]
        process = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            base = f"http://127.0.0.1:{health_port}"
            wait_for_health(base, process, "/healthz")
            fake.socket.wait_for_connection(timeout=10)
            ready = wait_for_health(base, process, "/readyz", timeout=5)
            assert ready["checks"]["socket"]["ok"] is True

            # apps.connections.open was called with the app-level token, nothing with the bot's.
            opened = fake.wait_for("apps.connections.open")
            assert opened.headers["authorization"] == f"Bearer {app_token}"
            assert fake.socket.connected_total == 1

            driver = SlackDriver("", "", fake)  # its payloads only: no request URL, no signature
            slash = driver.slash_body("location=ens nodes=500", channel="C0GENERAL", user="U0ALICE")
            sent_at = time.perf_counter()
            envelope_id = fake.send_envelope("slash_commands", slash)
            ack = fake.wait_for_ack(envelope_id, timeout=3)
            assert ack.at_perf - sent_at < 1.0, "the envelope was not acked promptly"
            assert ack.raw["envelope_id"] == envelope_id

            card = fake.wait_for("chat.postMessage", timeout=10)
            assert card.params["channel"] == "C0GENERAL"
            assert "Recommended: Terway Edge" in card.params["text"]
            header = card.params["blocks"][0]
            assert header["type"] == "header"
            assert header["text"]["text"] == "Recommended: Terway Edge"
            message_ts = card.response["ts"]
            assert fake.workspace.channels["C0GENERAL"].message(message_ts) is not None
            fake.wait_for("chat.getPermalink", timeout=10)  # the decision is then completed

            # A click on the card's Explain button, as an `interactive` envelope.
            message = fake.workspace.channels["C0GENERAL"].message(message_ts)
            actions = next(b for b in message.blocks if b["type"] == "actions")
            explain = next(e for e in actions["elements"] if e["action_id"] == ids.EXPLAIN)
            click = driver.block_action_payload(
                ids.EXPLAIN,
                value=explain["value"],
                block_id=actions["block_id"],
                channel="C0GENERAL",
                message_ts=message_ts,
                message=message.to_api(),
            )
            clicked = fake.send_envelope("interactive", click)
            fake.wait_for_ack(clicked, timeout=3)
            fake.wait_for(
                "chat.postMessage",
                timeout=10,
                where=lambda c: c.params.get("thread_ts") == message_ts,
            )

            # A preflight report, on the health port: Socket Mode has no other public endpoint.
            number = int(explain["value"])
            keeper = DecisionLog(str(db))
            try:
                token = token_for(keeper, number)  # the key is made in the log the bot reads
            finally:
                keeper.close()
            report = {
                "decision": number,
                "token": token,
                "nonce": secrets.token_hex(16),
                "sent_at": datetime.now(UTC).isoformat(),
                "host": "edge-node-1",
                "results": [{"id": "edge-ports", "status": "met", "peer": "10.0.0.2"}],
            }
            request = urllib.request.Request(
                base + ids.PREFLIGHT_REPORT_PATH,
                data=json.dumps(report).encode(),
                headers={"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert json.loads(answer.read())["posted"] is True
            said = fake.wait_for(
                "chat.postMessage",
                timeout=10,
                where=lambda c: "Preflight check on edge-node-1" in (c.params.get("text") or ""),
            )
            assert said.params["thread_ts"] == message_ts

            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0, stderr[-2000:]
        assert fake.socket.acks.keys() == {envelope_id, clicked}  # each acked, once

    log = DecisionLog(str(db))
    try:
        decisions = [d for d in log.query() if d.source == "slash"]
        assert [d.raw_text for d in decisions] == ["location=ens nodes=500"]
        assert decisions[0].message_ts == message_ts
        assert decisions[0].channel == "C0GENERAL"
        assert decisions[0].permalink
    finally:
        log.close()

    assert bot_token not in stderr and app_token not in stderr and token not in stderr
    assert bot_token not in stdout and app_token not in stdout
    messages = [json.loads(line)["msg"] for line in stderr.splitlines()]
    assert "shutdown: draining" in messages and "shutdown: done" in messages


def test_the_fake_speaks_socket_mode_to_slack_sdks_own_client():
    """The fake's contract, with slack_sdk's built-in client (the one SocketModeHandler uses):
    the app-level token only, single-use URLs, hello, envelopes, acks with a payload, pings."""
    with SocketModeSlack() as fake:
        web = WebClient(base_url=fake.api_url)
        with pytest.raises(SlackApiError) as refused:
            web.apps_connections_open(app_token=fake.bot_token)
        assert refused.value.response["error"] == "invalid_auth"
        url = web.apps_connections_open(app_token=fake.app_token)["url"]
        assert url.startswith(f"ws://127.0.0.1:{fake.socket.port}/link?")

        client = SocketModeClient(app_token=fake.app_token, web_client=web, ping_interval=0.5)
        client.wss_uri = url
        received = []

        def answer(c, req):
            received.append((req.type, req.payload))
            c.send_socket_mode_response(
                SocketModeResponse(envelope_id=req.envelope_id, payload={"text": "pong"})
            )

        client.socket_mode_request_listeners.append(answer)
        try:
            client.connect()
            fake.socket.wait_for_connection(timeout=5)
            envelope_id = fake.send_envelope("slash_commands", {"command": "/x", "text": "hi"})
            ack = fake.wait_for_ack(envelope_id, timeout=3)
            assert ack.payload == {"text": "pong"}
            assert received == [("slash_commands", {"command": "/x", "text": "hi"})]

            eventually(  # its pings are answered: the connection is fresh
                lambda: client.current_session.last_ping_pong_time is not None,
                message="no pong for the client's pings",
            )

            # The URL was single-use: a second handshake with it is refused.
            again = SocketModeClient(
                app_token=fake.app_token, web_client=web, auto_reconnect_enabled=False
            )
            again.wss_uri = url
            try:
                again.connect()
                assert not again.is_connected()
            finally:
                again.close()
            assert fake.socket.connected_total == 1
        finally:
            client.close()
