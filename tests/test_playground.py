"""The playground without a browser: what it sends to the app (events, signed as Slack signs
them), the decision log it writes, and the page's guards."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from waiting import eventually

from bot.playground import Playground
from bot.playground.run import default_db, run_playground
from bot.render.messages import say
from bot.slack import ids

LISTENS_TO_MESSAGES = "message.channels" in ids.EVENTS  # the app's own subscriptions


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    db = tmp_path_factory.mktemp("pg") / "playground.db"
    with Playground(db=db, port=0) as playground:
        yield playground


@pytest.fixture
def sent_events(pg, monkeypatch):
    """Every event the playground sends, with the app's HTTP status."""
    seen: list[tuple[dict, int]] = []
    original = pg.driver.send_event

    def spy(event, **kw):
        answer = original(event, **kw)
        seen.append((event, answer.status))
        return answer

    monkeypatch.setattr(pg.driver, "send_event", spy)
    return seen


def post(pg, path: str, data: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        pg.url + path,
        data=urlencode(data).encode(),
        headers={"X-Playground": "1", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body) if body.startswith(b"{") else {"text": body.decode()}


def test_typed_text_is_encoded_like_slacks_client(pg):
    assert pg.encode("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert pg.encode("hi @Netplugin-Advisor in #general, @nobody") == (
        "hi <@U0NETBOT> in <#C0GENERAL|general>, @nobody"
    )
    assert pg.encode("<@U0NETBOT>") == "&lt;@U0NETBOT&gt;"  # typed, not a mention


def test_thread_reply_is_a_message_event_with_thread_ts(pg, sent_events, monkeypatch):
    monkeypatch.setattr(ids, "EVENTS", (ids.APP_MENTION, "message.channels"))
    parent = pg.workspace.post("C0GENERAL", text="a card", bot=True)
    pg.send("C0GENERAL", "why not flannel?", thread_ts=parent.ts)
    [(event, status)] = sent_events
    # Signed as Slack signs and accepted by the real app (401 would be a bad signature); 404 is
    # Bolt's "no listener for this", until the app listens to thread replies.
    assert status == 200 or (status == 404 and not LISTENS_TO_MESSAGES)
    assert event["type"] == "message" and event["channel_type"] == "channel"
    assert event["thread_ts"] == parent.ts and event["parent_user_id"] == "U0NETBOT"
    assert event["text"] == "why not flannel?" and event["user"] == pg.user
    reply = pg.workspace.channels["C0GENERAL"].thread(parent.ts)[-1]
    assert reply.ts == event["ts"] and reply.user == pg.user


def test_events_follow_the_apps_subscriptions(pg, sent_events, monkeypatch):
    monkeypatch.setattr(ids, "EVENTS", (ids.APP_MENTION,))
    pg.send("C0GENERAL", "no mention here")
    assert sent_events == []  # not subscribed to message.channels: Slack would not send it
    pg.send("C0PLATFORM", "hello @netplugin-advisor")
    assert [e["type"] for e, _ in sent_events] == ["app_mention"]
    sent_events.clear()
    pg.send("C0RANDOM", "hello @netplugin-advisor")
    assert sent_events == []  # the bot is not in #random: it hears nothing there


def test_mention_is_answered_in_its_thread(pg):
    pg.send("C0GENERAL", "@netplugin-advisor how do I ask?")
    mine = pg.workspace.channels["C0GENERAL"].messages[-1]
    replies = eventually(lambda: pg.workspace.channels["C0GENERAL"].thread(mine.ts))
    assert "/netplugin" in replies[0].text and replies[0].bot_id


def test_unknown_command_is_told_by_slackbot(pg):
    pg.send("C0GENERAL", "/deploy prod")
    notice = pg.workspace.ephemeral[-1]
    assert notice.via == "slackbot" and "`/deploy` is not a valid command" in notice.text


def test_decisions_land_in_the_log_the_cli_reads(pg, cli):
    outcome = pg.send("C0GENERAL", "/netplugin location=ens nodes=500 integrations=nlb")
    assert outcome.ok
    eventually(lambda: pg.fake.calls_to("chat.getPermalink"))
    result = cli("decisions", "list", "--db", str(pg.db))
    assert result.exit_code == 0, result.output
    assert "terway-edge" in result.output.lower() or "Terway Edge" in result.output


def test_button_click_is_block_actions_and_modal_submission_round_trip(pg):
    channel = pg.workspace.channels["C0GENERAL"]
    before = len(channel.messages)
    pg.send("C0GENERAL", "/netplugin location=idc nodes=40")
    card = eventually(lambda: [m for m in channel.messages[before:] if m.blocks])[-1]
    status, answer = post(
        pg,
        "/action",
        {
            "channel": "C0GENERAL",
            "ts": card.ts,
            "action_id": ids.ADJUST,
            "block_id": ids.CARD_ACTIONS_BLOCK,
        },
    )
    assert (status, answer) == (200, {"ok": True})
    view = eventually(pg.open_view)
    assert view.view["callback_id"] == ids.PLAN_MODAL
    nodes = view.view["blocks"][[b.get("block_id") for b in view.view["blocks"]].index("q:nodes")]
    assert nodes["element"]["initial_value"] == "40"  # pre-filled from the decision

    key = pg.modal_key()
    status, answer = post(pg, f"/modal/{view.id}/submit", {"q:pod-cidr": "10.0.0.0/33"})
    assert status == 200 and not answer.get("modal_closed")
    assert pg.modal_key() != key  # the page draws the modal again, with the error
    assert "10.0.0.0/33" in pg.drafts[view.id].errors["q:pod-cidr"]

    status, answer = post(pg, f"/modal/{view.id}/submit", {"q:pod-cidr": "10.0.0.0/16"})
    assert answer == {"ok": True, "modal_closed": True}
    assert pg.open_view() is None and view.id not in pg.drafts


def test_page_refuses_foreign_hosts_and_posts_without_its_header(pg):
    status, _ = post(pg, "/c/C0GENERAL/send", {"text": "hi"}, {"X-Playground": ""})
    assert status == 403
    status, _ = post(pg, "/c/C0GENERAL/send", {"text": "hi"}, {"Host": "evil.example"})
    assert status == 403
    status, _ = post(pg, "/c/C0NOPE/send", {"text": "hi"})
    assert status == 404


def test_state_and_modal_endpoints(pg):
    with urllib.request.urlopen(pg.url + "/c/C0GENERAL/state", timeout=5) as response:
        state = json.loads(response.read())
    assert set(state) == {"channels", "messages", "thread", "modal"}
    assert 'data-message data-channel="C0GENERAL"' in state["messages"]
    with urllib.request.urlopen(pg.url + "/c/C0GENERAL", timeout=5) as response:
        page = response.read().decode()
    assert "/static/playground.js" in page and "playground.css" in page


def test_page_carries_the_scripts_words_from_the_templates(pg):
    """The error line the script shows when a request fails is worded in messages.yaml."""
    with urllib.request.urlopen(pg.url + "/c/C0GENERAL", timeout=5) as response:
        page = response.read().decode()
    found = re.search(r'<script type="application/json" id="page-texts">(.*?)</script>', page, re.S)
    texts = json.loads(found[1])
    assert texts == {
        "notSent": say("pg-not-sent", reason="{reason}"),
        "http": say("pg-send-http", status="{status}"),
        "unreachable": say("pg-send-unreachable"),
        "notAnswering": say("pg-not-answering"),
    }
    assert "{reason}" in texts["notSent"] and "{status}" in texts["http"]


def test_a_send_the_playground_refuses_is_a_4xx_with_its_reason(pg):
    """What the page's error line is made of: the status, and the reason in the JSON."""
    status, answer = post(pg, "/c/C0GENERAL/send", {"text": "why", "thread_ts": "1.000001"})
    assert (status, answer) == (400, {"ok": False, "error": say("pg-no-thread")})


def test_default_db_is_playground_db_unless_netplugin_db(monkeypatch):
    monkeypatch.delenv("NETPLUGIN_DB", raising=False)
    assert default_db() == "playground.db"
    monkeypatch.setenv("NETPLUGIN_DB", "/tmp/elsewhere.db")
    assert default_db() == "/tmp/elsewhere.db"


def test_run_playground_prints_the_url_and_stops(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NETPLUGIN_DB", raising=False)
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=run_playground, args=(0,), kwargs={"echo": lines.append, "stop": stop}
    )
    thread.start()
    try:
        eventually(lambda: lines)
        url = lines[0].split(" on ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"ok": True}
    finally:
        stop.set()
        thread.join(10)
    assert (tmp_path / "playground.db").exists()


def get(pg, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(pg.url + path, timeout=5) as response:
        return response.status, response.read().decode()


def test_the_home_tab_sends_app_home_opened_and_draws_what_the_app_published(pg, sent_events):
    status, page = get(pg, "/home")
    assert status == 200
    assert 'href="/home" class="active"' in page and 'data-home="1"' in page
    assert 'id="composer"' not in page  # a Home tab has no message box
    pg.workspace.homes.pop(pg.user, None)
    assert "has not published a Home" in json.loads(get(pg, "/home/state")[1])["home"]

    status, answer = post(pg, "/home/opened", {})
    assert (status, answer) == (200, {"ok": True})
    [(event, sent)] = sent_events
    assert sent == 200  # signed as Slack signs, and acked by the real app
    assert event["type"] == ids.APP_HOME_OPENED and event["tab"] == "home"
    assert event["user"] == pg.user
    published = eventually(pg.home)
    assert published["type"] == "home"

    state = json.loads(get(pg, "/home/state")[1])
    assert set(state) == {"channels", "home", "modal"}
    assert 'class="home-view"' in state["home"]
    assert "Network plugins adopted, by cluster" in state["home"]
    assert "Your proposals" in state["home"]

    post(pg, "/home/opened", {})  # opened again: Slack sends the view it holds
    assert sent_events[-1][0]["view"]["id"] == published["id"]


def test_a_channel_page_links_to_the_home_tab(pg):
    _, page = get(pg, "/c/C0GENERAL")
    assert '<a href="/home" title=' in page
    assert 'data-channel="C0GENERAL"' in page
