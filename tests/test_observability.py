"""Health, readiness, metrics and JSON logs over real HTTP on 127.0.0.1: the app built by
build_app, the fake Slack, bot/runtime/server.py (HTTP mode) and the Socket Mode side server."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_bolt import BoltRequest
from sqlite_utils import Database
from waiting import settle

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.runtime import health as health_module
from bot.runtime.app import build_app
from bot.runtime.health import HEALTH_PATH, METRICS_PATH, READY_PATH
from bot.runtime.lifecycle import Shutdown, start_health_server
from bot.runtime.logs import configure_logging
from bot.runtime.server import create_web_app, serve_in_thread
from bot.settings import Settings
from bot.slack import ids

SECRET = "obs-test-signing-secret"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def metric(base: str, name: str, **labels: str) -> float:
    """A sample's value from GET /metrics (0 when the series does not exist yet)."""
    status, body = get(base + METRICS_PATH)
    assert status == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def settings_for(fake: FakeSlack, db: str) -> Settings:
    return Settings(
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SECRET,
        slack_api_url=fake.api_url,
        netplugin_db=db,
    )


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    """HTTP mode: one app on a real file database, its server, the fake Slack, a driver."""
    fake = FakeSlack().start()
    db = str(tmp_path_factory.mktemp("obs") / "decisions.db")
    log = DecisionLog(db)
    app = build_app(settings_for(fake, db), log=log)
    server = serve_in_thread(create_web_app(app))
    driver = SlackDriver(server.url + ids.EVENTS_PATH, SECRET, fake)
    yield app, server, fake, driver, log
    server.stop()
    fake.stop()
    log.close()


def test_healthz_readyz_and_metrics_answer_over_http(http) -> None:
    app, server, *_ = http
    status, body = get(server.url + HEALTH_PATH)
    assert (status, json.loads(body)) == (200, {"ok": True})

    status, body = get(server.url + READY_PATH)
    ready = json.loads(body)
    assert status == 200 and ready["ready"] is True, ready
    assert set(ready["checks"]) == {"knowledge", "database", "slack"}
    assert ready["checks"]["slack"]["bot_user_id"] == "U0NETBOT"
    assert ready["checks"]["knowledge"]["version"] == app.advisor.kb.version
    # The database check is a real, committed write.
    assert Database(app.advisor.log.path)["_health"].count == 1

    assert metric(server.url, "netplugin_requests_total", surface="health", outcome="ok") >= 2
    assert metric(server.url, "netplugin_lazy_jobs_in_flight") == 0


def test_metrics_count_decisions_slack_errors_and_suppressed_retries(http) -> None:
    app, server, fake, driver, _ = http
    fake.reset()
    url = server.url
    labels = {"plugin": "terway-edge", "status": "recommended", "source": "slash"}
    before = metric(url, "netplugin_decisions_total", **labels)
    commands = metric(url, "netplugin_requests_total", surface="command", outcome="ok")

    assert driver.send_slash("need NLB").status == 200
    # The request is counted when its lazy work has finished.
    settle(app, server)
    assert metric(url, "netplugin_requests_total", surface="command", outcome="ok") == commands + 1
    assert metric(url, "netplugin_decisions_total", **labels) == before + 1
    assert metric(url, "netplugin_request_duration_seconds_count", surface="command") >= 1
    assert metric(url, "netplugin_ack_duration_seconds_count", surface="command") >= 1

    # A Web API error, after the client's retries: counted by method and error code.
    errors = {"method": "chat.postMessage", "error": "not_in_channel"}
    before_errors = metric(url, "netplugin_slack_api_errors_total", **errors)
    fake.fail_next("chat.postMessage", error="not_in_channel")
    assert driver.send_slash("need NLB").status == 200
    fake.wait_for("chat.postMessage", ok=False)
    settle(app, server)
    assert metric(url, "netplugin_requests_total", surface="command", outcome="slack_error") >= 1
    assert metric(url, "netplugin_slack_api_errors_total", **errors) == before_errors + 1

    # Slack retrying a slash command (same trigger_id): one decision, the retry counted.
    retries = metric(url, "netplugin_retries_suppressed_total", kind="request_key")
    decisions = metric(url, "netplugin_decisions_total", **labels)
    for _ in range(2):
        assert driver.send_slash("need NLB", trigger_id="T0OBS.RETRY").status == 200
    settle(app, server)
    assert metric(url, "netplugin_retries_suppressed_total", kind="request_key") == retries + 1
    assert metric(url, "netplugin_decisions_total", **labels) == decisions + 1

    # Slack retrying an event: the second delivery is recognised, and counted.
    parent = fake.workspace.post("C0GENERAL", text="<@U0NETBOT> hi", user="U0ALICE")
    event = {
        "type": ids.APP_MENTION,
        "user": "U0ALICE",
        "text": "<@U0NETBOT> hi",
        "ts": parent.ts,
        "channel": "C0GENERAL",
        "event_ts": parent.ts,
    }
    suppressed = metric(url, "netplugin_retries_suppressed_total", kind="event")
    assert driver.send_event(event, event_id="Ev0OBS1").status == 200
    assert driver.send_event(event, event_id="Ev0OBS1", retry_num=1).status == 200
    settle(app, server)
    assert metric(url, "netplugin_retries_suppressed_total", kind="event") == suppressed + 1


def test_each_request_is_one_log_line_with_its_decision(http, caplog) -> None:
    app, server, fake, driver, log = http
    fake.reset()
    caplog.set_level(logging.INFO, logger="bot.requests")
    assert driver.send_slash("400 nodes, need NLB").status == 200
    settle(app, server)  # the line is written when the request's lazy work has finished
    (line,) = [r for r in caplog.records if getattr(r, "surface", None) == "command"]
    decision = log.query()[-1]
    assert line.decision_id == decision.id and line.outcome == "ok"
    assert line.slack_id == ids.COMMAND and line.status == 200
    assert line.latency_ms >= line.ack_ms > 0


def test_metrics_are_per_app(http, tmp_path) -> None:
    """Two apps in one process (as in the tests) keep separate registries."""
    app, _server, fake, *_ = http
    other = build_app(settings_for(fake, ":memory:"), log=DecisionLog(":memory:"))
    assert other.obs.registry is not app.obs.registry
    names = {m.name for m in other.obs.registry.collect()}
    assert "netplugin_decisions" in names and "netplugin_slack_api_errors" in names


@pytest.fixture
def side(tmp_path):
    """Socket Mode's side server alone (no websocket): the app built for Socket Mode."""
    fake = FakeSlack().start()
    db = str(tmp_path / "socket.db")
    log = DecisionLog(db)
    settings = settings_for(fake, db)
    app = build_app(settings, log=log, socket_mode=True)
    server = start_health_server(app, "127.0.0.1", 0)
    yield app, server, fake, log
    server.stop()
    fake.stop()
    log.close()


def test_socket_mode_side_server_answers_health_readiness_and_metrics(side) -> None:
    _app, server, *_ = side
    assert get(server.url + HEALTH_PATH)[0] == 200
    status, body = get(server.url + READY_PATH)
    assert status == 200 and json.loads(body)["ready"] is True
    status, body = get(server.url + METRICS_PATH)
    assert status == 200 and b"netplugin_requests_total" in body
    assert get(server.url + ids.EVENTS_PATH)[0] in (404, 405)  # nothing from Slack here


def test_readyz_is_503_when_the_database_cannot_be_written(side) -> None:
    _app, server, _fake, log = side
    # The connection SQLite gives a process that may not write the file (a read-only file or
    # volume, for a non-root user): reads work, writes fail.
    log.file.db = Database(
        sqlite3.connect(
            f"file:{log.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    )
    status, body = get(server.url + READY_PATH)
    ready = json.loads(body)
    assert status == 503 and ready["failed"] == ["database"]
    assert "readonly" in ready["checks"]["database"]["error"]
    assert ready["checks"]["knowledge"]["ok"] and ready["checks"]["slack"]["ok"]
    assert get(server.url + HEALTH_PATH)[0] == 200  # alive all the same: no restart


def test_readyz_is_503_while_another_writer_holds_the_database(side, monkeypatch) -> None:
    _app, server, _fake, log = side
    monkeypatch.setattr(health_module, "READY_DB_TIMEOUT", 0.2)
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        status, body = get(server.url + READY_PATH)
        assert status == 503
        assert "locked" in json.loads(body)["checks"]["database"]["error"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert get(server.url + READY_PATH)[0] == 200


def test_shutdown_turns_unready_waits_for_lazy_work_then_closes_the_log(side) -> None:
    """What SIGTERM does in Socket Mode after the websocket closes (bot/runtime/lifecycle.py)."""
    app, server, fake, log = side
    arrived = fake.slow_next("chat.postMessage", 0.6)
    driver = SlackDriver("http://unused", SECRET, fake)
    body = urlencode(driver.slash_body("need NLB"))
    headers = {"content-type": ["application/x-www-form-urlencoded"]}
    response = app.dispatch(BoltRequest(body=body, headers=headers, mode="socket_mode"))
    assert response.status == 200
    assert arrived.wait(5), "the card was never posted"

    shutdown = Shutdown(app, budget=10)
    shutdown.request()
    status, body = get(server.url + READY_PATH)
    assert status == 503 and "draining" in json.loads(body)["failed"]
    assert app.executor.in_flight == 1  # the card is still being posted

    result: list[int] = []
    finisher = threading.Thread(target=lambda: result.append(shutdown.finish()))
    finisher.start()
    finisher.join(10)
    assert result == [0]
    post = fake.wait_for("chat.postMessage")
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        log.db.execute("SELECT 1")
    reopened = DecisionLog(log.path)
    try:
        (decision,) = reopened.query()
        assert decision.message_ts == post.response["ts"]
    finally:
        reopened.close()


def test_json_logs_redact_tokens_and_the_signing_secret() -> None:
    stream = io.StringIO()
    handler = configure_logging(["my-signing-secret-123"], stream=stream)
    try:
        logger = logging.getLogger("bot.test")
        logger.warning(
            "token %s and secret %s", "xoxb-1234-5678-abcdef", "my-signing-secret-123",
            extra={"header": "Bearer xapp-1-A0-123-abc"},
        )  # fmt: skip
        try:
            raise ValueError("refused xoxp-99-secret and xoxe.xoxp-1-rotate")
        except ValueError:
            logger.exception("failed with\nnewlines")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    text = stream.getvalue()
    for leaked in ("xoxb-1234", "my-signing-secret-123", "xapp-1", "xoxp-99", "xoxe.xoxp"):
        assert leaked not in text
    assert records[0]["msg"] == "token [redacted] and secret [redacted]"
    assert records[0]["header"] == "Bearer [redacted]"
    assert records[1]["level"] == "error" and "ValueError" in records[1]["exc"]
