"""Preflight reports over the wire (issue 15): a card's Checklist gives its members the command
with the decision's token; `netplugin preflight check --report URL --token T` POSTs its results
to /preflight/report; the bot records them beside the decision and says them in the card's
thread, and the checklist then shows what was verified, where, by whom, when. A wrong token,
another decision's, a replay, a stale or future report, a bad or oversize body are refused, and
nothing is posted."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import secrets
from typing import Any

import httpx
import pytest
from blockkit import block_problems
from click.testing import CliRunner
from slackstack import post_card, start_stack
from waiting import settle

from bot.cli import main
from bot.core.preflight import ItemResult
from bot.preflight.report import build, report_url
from bot.preflight.report import send as send_report
from bot.runtime.health import health_web_app
from bot.runtime.logs import configure_logging
from bot.runtime.reports import MAX_REPORT
from bot.runtime.server import serve_in_thread
from bot.slack import ids

# Flannel: vxlan-port, vxlan-mtu, cidr-overlap, …
FLANNEL = "need NLB, 30 nodes l3=yes priority=simplicity pod-cidr=10.32.0.0/16"


def decision_of(card) -> int:
    return int(card.blocks[-1]["elements"][0]["value"])


def checklist_of(s, card, user: str = "U0BOB") -> str:
    """The Checklist button's ephemeral message, as the clicker sees it (its blocks as JSON)."""
    s.fake.reset()
    s.driver.click(card, ids.CHECKLIST, user=user)
    told = s.fake.wait_for("response_url")
    settle(s)
    assert told.params["response_type"] == "ephemeral"
    assert block_problems(told.params["blocks"]) == []
    s.fake.reset()
    return json.dumps(told.params["blocks"], ensure_ascii=False)


def command_of(checklist: str) -> dict[str, str]:
    """The preflight command's options, read from the checklist as a person would copy them
    (Slack shows mrkdwn's escapes as the characters)."""
    shown = checklist.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    command = re.search(r"netplugin preflight check [^`]*", shown)
    assert command, checklist
    return dict(re.findall(r"--([a-z-]+) (\S+)", command.group(0)))


def report(decision: int, token: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "decision": decision,
        "token": token,
        "nonce": secrets.token_hex(16),
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        "host": "edge-node-1",
        "by": "ana",
        "results": [
            {
                "id": "vxlan-port",
                "status": "met",
                "peer": "10.0.0.2",
                "measured": "UDP 8472 answered in 0.4 ms",
                "values": {"rtt_ms": 0.4},
            },
            {
                "id": "vxlan-port",
                "status": "unmet",
                "peer": "10.0.0.3",
                "measured": "no answer on UDP 8472 within 2 s",
            },
            {
                "id": "vxlan-mtu",
                "status": "unmet",
                "peer": "10.0.0.2",
                "measured": "path MTU 1400: pod MTU 1350, below the 1450 the plan needs",
                "values": {"path_mtu": 1400, "pod_mtu": 1350},
            },
        ],
    }
    body.update(fields)
    return body


def send(base: str, body: Any, **kwargs: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        base + ids.PREFLIGHT_REPORT_PATH,
        content=content,
        headers={"content-type": "application/json"},
        timeout=10,
        **kwargs,
    )


def thread_posts(s, card) -> list:
    return [c for c in s.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == card.ts]


@pytest.fixture(scope="module")
def card_and_token(stack):
    card = post_card(stack, FLANNEL)
    options = command_of(checklist_of(stack, card))
    return card, options


def test_the_checklist_gives_the_command_with_the_decisions_token(s, card_and_token) -> None:
    card, options = card_and_token
    assert options["decision"] == str(decision_of(card))
    assert options["plugin"] == "flannel"
    assert options["pod-cidr"] == "10.32.0.0/16" and "service-cidr" not in options
    assert re.fullmatch(r"npf-[0-9a-f]{64}", options["token"])
    # NETPLUGIN_PUBLIC_URL unset: a placeholder the person fills in, and the path
    assert options["report"] == "<bot-url>" + ids.PREFLIGHT_REPORT_PATH
    # the same token on every click; never in the channel or the thread
    assert command_of(checklist_of(s, card))["token"] == options["token"]
    channel = json.dumps([m.to_api() for m in s.workspace.channels["C0GENERAL"].messages])
    assert options["token"] not in channel


def test_a_report_with_the_token_is_logged_and_said_in_the_cards_thread(s, card_and_token) -> None:
    card, options = card_and_token
    number = decision_of(card)
    answer = send(s.server.url, report(number, options["token"]))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "ok": True,
        "message": f"Recorded 3 results for decision #{number}; they are posted in its thread.",
        "posted": True,
        "decision": number,
        "results": 3,
    }
    said = s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    assert said.params["channel"] == "C0GENERAL" and said.params["thread_ts"] == card.ts
    assert block_problems(said.params["blocks"]) == []
    text = json.dumps(said.params["blocks"], ensure_ascii=False)
    assert "Preflight check on edge-node-1* by ana" in text
    assert "1 met, 2 unmet, 0 could not tell" in text
    assert "❌ *UDP 8472 between nodes*" in text
    assert "✅ towards 10.0.0.2: UDP 8472 answered in 0.4 ms" in text
    assert "❌ towards 10.0.0.3: no answer on UDP 8472 within 2 s" in text
    assert "path MTU 1400: pod MTU 1350" in text
    assert options["token"] not in json.dumps(said.params)

    rows = list(s.log.db["verifications"].rows_where("decision_id = ?", [number], order_by="id"))
    assert [(r["item"], r["peer"], r["status"], r["host"], r["by"]) for r in rows] == [
        ("vxlan-port", "10.0.0.2", "met", "edge-node-1", "ana"),
        ("vxlan-port", "10.0.0.3", "unmet", "edge-node-1", "ana"),
        ("vxlan-mtu", "10.0.0.2", "unmet", "edge-node-1", "ana"),
    ]
    assert json.loads(rows[2]["values"]) == {"path_mtu": 1400, "pod_mtu": 1350}
    assert len({r["report_id"] for r in rows}) == 1

    # The checklist now shows what was verified on the hosts, by whom, when.
    checklist = checklist_of(s, card)
    assert "✅ Verified on edge-node-1 towards 10.0.0.2 by ana, " in checklist
    assert ": met (UDP 8472 answered in 0.4 ms)" in checklist
    assert "❌ Verified on edge-node-1 towards 10.0.0.3 by ana" in checklist
    # …and so does the explanation (/netplugin explain)
    s.driver.send_slash(f"explain {number}", channel="C0GENERAL")
    explained = s.fake.wait_for("response_url")
    settle(s)
    assert "Verified on edge-node-1 towards 10.0.0.2 by ana" in json.dumps(
        explained.params, ensure_ascii=False
    )


def test_checklist_in_the_thread_shows_what_was_verified_but_not_the_token(
    s, card_and_token
) -> None:
    card, options = card_and_token
    body = report(decision_of(card), options["token"], host="edge-node-9")
    assert send(s.server.url, body).status_code == 200
    s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    s.fake.reset()
    said = s.workspace.post(card.channel, text="checklist", user="U0ALICE", thread_ts=card.ts)
    event = {
        "type": "message",
        "channel": card.channel,
        "user": "U0ALICE",
        "text": "checklist",
        "ts": said.ts,
        "thread_ts": card.ts,
        "event_ts": said.ts,
        "channel_type": "channel",
    }
    assert s.driver.send_event(event).status == 200
    answer = s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    text = json.dumps(answer.params, ensure_ascii=False)
    assert "Verified on edge-node-9 towards 10.0.0.2 by ana" in text
    assert options["token"] not in text and "netplugin preflight check" not in text


def test_a_checked_again_item_shows_its_latest_result(s, card_and_token) -> None:
    card, options = card_and_token
    number = decision_of(card)
    again = report(
        number,
        options["token"],
        results=[
            {"id": "vxlan-port", "status": "met", "peer": "10.0.0.3", "measured": "fixed: 0.5 ms"}
        ],
    )
    assert send(s.server.url, again).status_code == 200
    s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    checklist = checklist_of(s, card)
    assert "✅ Verified on edge-node-1 towards 10.0.0.3 by ana" in checklist
    assert "❌ Verified on edge-node-1 towards 10.0.0.3" not in checklist


def test_what_preflight_check_sends_is_taken(s, card_and_token) -> None:
    """The measuring side's own sender (bot/preflight/report.py), to the URL as a person gives
    it (the bot's address: the path is added), is taken, and what the bot said is its answer."""
    card, options = card_and_token
    result = ItemResult(id="vxlan-mtu", status="met", peer="10.0.0.4", measured="path MTU 1500")
    url = report_url(s.server.url)
    assert url == s.server.url + ids.PREFLIGHT_REPORT_PATH
    said = send_report(url, build(decision_of(card), options["token"], [result], by="ana"))
    assert (said.accepted, said.status) == (True, 200)
    number = decision_of(card)
    assert (
        said.reason == f"Recorded 1 result for decision #{number}; they are posted in its thread."
    )
    posted = s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    assert "towards 10.0.0.4: path MTU 1500" in json.dumps(posted.params["blocks"])
    wrong = send_report(url, build(decision_of(card), "npf-" + "0" * 64, [result]))
    assert (wrong.accepted, wrong.status) == (False, 403)
    assert "not the one for this decision" in wrong.reason


def refused(s, answer: httpx.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["ok"] is False and words in body["error"], body
    settle(s)
    assert s.fake.calls_to("chat.postMessage") == []


def test_a_wrong_token_or_an_unknown_decision_is_refused_alike(s, card_and_token) -> None:
    card, options = card_and_token
    number = decision_of(card)
    before = s.log.db["verifications"].count
    wrong = send(s.server.url, report(number, "0" * 64))
    refused(s, wrong, 403, "not the one for this decision")
    # a decision that does not exist: the same answer, so a token-less caller learns nothing
    unknown = send(s.server.url, report(999_999, options["token"]))
    refused(s, unknown, 403, "not the one for this decision")
    assert unknown.json() == wrong.json()
    assert s.log.db["verifications"].count == before


def test_another_decisions_token_is_refused(s, card_and_token) -> None:
    card, options = card_and_token
    other = post_card(s, "400 ENS nodes, need NLB, no BGP")
    other_token = command_of(checklist_of(s, other))["token"]
    assert other_token != options["token"]
    answer = send(s.server.url, report(decision_of(card), other_token))
    refused(s, answer, 403, "not the one for this decision")


def test_a_replayed_report_is_refused_and_posted_once(s, card_and_token) -> None:
    card, options = card_and_token
    body = report(decision_of(card), options["token"])
    assert send(s.server.url, body).status_code == 200
    s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    reports = s.log.db["preflight_reports"].count
    s.fake.reset()
    again = send(s.server.url, body)
    refused(s, again, 409, "received before")
    assert s.log.db["preflight_reports"].count == reports


@pytest.mark.parametrize(
    ("sent_at", "status", "words"),
    [
        (dt.timedelta(minutes=-11), 403, "more than 10 minutes ago"),
        (dt.timedelta(minutes=3), 403, "ahead of the bot's clock"),
        (None, 400, "no UTC offset"),
    ],
)
def test_a_stale_future_or_offsetless_report_is_refused(
    s, card_and_token, sent_at, status, words
) -> None:
    card, options = card_and_token
    now = dt.datetime.now(dt.UTC)
    when = (now + sent_at).isoformat() if sent_at is not None else now.replace(tzinfo=None)
    body = report(decision_of(card), options["token"], sent_at=str(when))
    refused(s, send(s.server.url, body), status, words)


def test_a_bad_body_is_refused_naming_the_field(s, card_and_token) -> None:
    card, options = card_and_token
    body = report(decision_of(card), options["token"])
    body["results"][1]["status"] = "fine"
    del body["host"]
    answer = send(s.server.url, body)
    refused(s, answer, 400, "Not a preflight report")
    error = answer.json()["error"]
    assert "host: Field required" in error and "results.1.status: Input should be" in error
    assert options["token"] not in error  # the values given are never repeated
    refused(s, send(s.server.url, b"{not json"), 400, "the body is not JSON")
    refused(s, send(s.server.url, [1, 2]), 400, "Not a preflight report")
    unknown_item = report(decision_of(card), options["token"])
    unknown_item["results"][0]["id"] = "bgp-daemon"
    refused(s, send(s.server.url, unknown_item), 400, "Not checklist items: bgp-daemon")


def test_an_oversize_body_is_refused_unread(s, card_and_token) -> None:
    card, options = card_and_token
    body = report(decision_of(card), options["token"])
    body["results"][0]["values"] = {"padding": "x" * MAX_REPORT}
    refused(s, send(s.server.url, body), 413, "larger than 256 KB")


def test_socket_modes_health_server_takes_reports_too(s, card_and_token) -> None:
    """Socket Mode has no public Slack endpoint: the health server (NETPLUGIN_HEALTH_PORT) serves
    the same handler."""
    card, options = card_and_token
    health = serve_in_thread(health_web_app(s.app))
    try:
        assert httpx.get(health.url + "/healthz", timeout=5).status_code == 200
        answer = send(health.url, report(decision_of(card), options["token"], host="edge-node-2"))
        assert answer.status_code == 200, answer.text
        said = s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
        assert "Preflight check on edge-node-2" in json.dumps(said.params["blocks"])
        wrong = send(health.url, report(decision_of(card), "f" * 64))
        assert wrong.status_code == 403
    finally:
        health.stop()
        settle(s)


def test_the_token_is_in_no_log_line_nor_the_export(tmp_path, caplog) -> None:
    """Our own log lines never carry it; what others log at DEBUG (slack_sdk logs the messages
    it sends, the Checklist's too) loses it in the JSON logs, like Slack's tokens."""
    db = str(tmp_path / "decisions.db")
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging([], "DEBUG", stream=stream)
    stack = start_stack(db)
    try:
        with caplog.at_level(logging.DEBUG):
            card = post_card(stack, FLANNEL)
            token = command_of(checklist_of(stack, card))["token"]
            body = report(decision_of(card), token)
            assert send(stack.server.url, body).status_code == 200
            stack.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
            settle(stack)
            assert send(stack.server.url, body).status_code == 409
            assert send(stack.server.url, {**body, "nonce": "x" * 16, "host": 5}).status_code == 400
            settle(stack)
        key = stack.log.db.execute("SELECT key FROM preflight_key").fetchone()[0]
    finally:
        stack.stop()
        root.removeHandler(handler)
        root.setLevel(level)
    ours = "\n".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}"
        for r in caplog.records
        if r.name.startswith("bot")
    )
    assert "preflight report taken" in ours and "preflight report refused" in ours
    assert token not in ours and key not in ours
    logged = stream.getvalue()
    assert "preflight report taken" in logged and "Sending a request" in logged  # DEBUG, too
    assert token not in logged and key not in logged
    runner = CliRunner()
    for fmt in ("json", "csv"):
        exported = runner.invoke(main, ["decisions", "export", "--db", db, "--format", fmt])
        assert exported.exit_code == 0, exported.output
        assert str(decision_of(card)) in exported.output
        assert token not in exported.output and key not in exported.output


def test_a_report_taken_but_not_said_when_the_process_died_is_said_by_the_next_start(
    s, card_and_token
) -> None:
    """Nothing acknowledged is lost: the report was answered 200 (it is in the log), the process
    died before the thread reply; the restart says it, once."""
    from slack_sdk import WebClient

    from bot.core.knowledge import default_knowledge
    from bot.core.preflight import Report
    from bot.decisions.preflight import receive
    from bot.slack.deps import Advisor
    from bot.slack.recovery import finish_acknowledged

    card, options = card_and_token
    number = decision_of(card)
    body = report(number, options["token"], host="edge-node-killed")
    receive(s.log, default_knowledge(), Report.model_validate(body))  # taken; never said
    advisor = Advisor(kb=default_knowledge(), log=s.log, bot_user_id=s.workspace.bot_user_id)
    client = WebClient(token=s.fake.bot_token, base_url=s.fake.api_url)
    finish_acknowledged(advisor, client)
    said = s.fake.wait_for(
        "chat.postMessage", where=lambda c: "edge-node-killed" in json.dumps(c.params)
    )
    assert said.params["thread_ts"] == card.ts
    settle(s)
    finish_acknowledged(advisor, client)  # said once: the next start leaves it
    settle(s)
    again = [c for c in thread_posts(s, card) if "edge-node-killed" in json.dumps(c.params)]
    assert len(again) == 1
