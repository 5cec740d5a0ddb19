"""/netplugin over the wire: signed form posts to the real server, the fake Slack records."""

from __future__ import annotations

import json

from blockkit import block_problems
from waiting import settle


def test_question_posts_the_card_in_the_channel_and_logs_it(s) -> None:
    before = s.log.count()
    sent = s.driver.send_slash("400 ENS nodes, need NLB, pods reachable from outside, no BGP")
    assert sent.status == 200 and sent.body == b""  # the empty ack
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["text"].startswith("Recommended: Terway Edge")
    assert block_problems(post.params["blocks"]) == []
    s.fake.wait_for("chat.getPermalink")
    message = s.workspace.channels["C0GENERAL"].messages[-1]
    assert message.ts == post.response["ts"]
    decision = _wait_for_ts(s, message.ts)
    assert s.log.count() == before + 1
    assert decision.source == "slash" and decision.visibility == "public"
    assert decision.user == "U0ALICE" and decision.plugin == "terway-edge"
    assert decision.permalink.endswith(message.ts.replace(".", ""))
    buttons = message.blocks[-1]["elements"]
    assert {b["value"] for b in buttons} == {str(decision.id)}


def test_question_words_cannot_ping_the_channel(s) -> None:
    s.driver.send_slash("400 ENS nodes <!channel> <!here> need NLB", channel="C0PLATFORM")
    post = s.fake.wait_for("chat.postMessage")
    raw = json.dumps(post.params)
    assert "<!channel>" not in raw and "<!here>" not in raw
    assert "&lt;!channel&gt;" in raw
    decision = _wait_for_ts(s, post.response["ts"], channel="C0PLATFORM")
    assert decision.visibility == "private"


def test_empty_command_and_ask_open_the_modal_with_the_trigger_id(s) -> None:
    for text in ("", "ask"):
        s.fake.reset()
        body = s.driver.slash_body(text)
        sent = s.driver.post(_form(body), "application/x-www-form-urlencoded")
        assert sent.status == 200
        call = s.fake.wait_for("views.open")
        assert call.params["trigger_id"] == body["trigger_id"]
        view = call.params["view"]
        assert view["callback_id"] == "netplugin-plan"
        assert json.loads(view["private_metadata"])["channel"] == "C0GENERAL"
        assert not s.fake.calls_to("chat.postMessage")


def test_help_compare_checklist_answer_ephemerally(s) -> None:
    for text, expected in (
        ("help", "pod-cidr"),
        ("compare", "Terway Edge"),
        ("checklist flannel", "dstport 8472"),
        ("checklist terway-edge", "show bgp summary"),
        ("checklist calico", "not a plugin I know"),
    ):
        s.fake.reset()
        s.driver.send_slash(text, user="U0BOB")
        call = s.fake.wait_for("response_url")
        assert call.params["response_type"] == "ephemeral"
        assert expected in json.dumps(call.params), text
        assert block_problems(call.params["blocks"]) == []
        assert s.workspace.ephemeral_for("U0BOB")[-1].via == "response_url"
    assert not s.fake.calls_to("chat.postMessage")


def test_invalid_input_is_explained_to_the_user_alone_and_not_logged(s) -> None:
    before = s.log.count()
    s.driver.send_slash("nodes=lots pod-cidr=10.0.0.1/16 colour=blue")
    call = s.fake.wait_for("response_url")
    text = call.params["blocks"][0]["text"]["text"]
    assert call.params["response_type"] == "ephemeral"
    assert "`nodes` does not accept `lots`. Accepted: a whole number from 1 to 100000" in text
    assert "Did you mean `10.0.0.0/16`?" in text
    assert "Unknown key `colour`" in text
    assert not s.fake.calls_to("chat.postMessage")
    assert s.log.count() == before


def test_not_in_channel_gives_the_card_to_the_user_with_the_invite_hint(s) -> None:
    before = s.log.count()
    s.driver.send_slash("need NLB", channel="C0RANDOM")  # the bot is not a member
    failed = s.fake.wait_for("chat.postMessage", ok=False)
    assert failed.response["error"] == "not_in_channel"
    call = s.fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    blocks = call.params["blocks"]
    assert "/invite @NetPlugin Advisor" in blocks[0]["text"]["text"]
    assert any(b["type"] == "header" for b in blocks)  # the card follows
    assert block_problems(blocks) == []
    assert s.log.count() == before + 1  # logged before posting; no message attached


def test_channel_not_found_injected_gives_the_same_fallback(s) -> None:
    s.fake.fail_next("chat.postMessage", error="channel_not_found")
    s.driver.send_slash("need NLB")
    call = s.fake.wait_for("response_url")
    assert "/invite @NetPlugin Advisor" in json.dumps(call.params)


def test_rate_limited_post_is_retried_after_retry_after(s) -> None:
    s.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    s.driver.send_slash("need NLB and ECI")
    ok = s.fake.wait_for("chat.postMessage", timeout=6)
    calls = s.fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.95  # waited for Retry-After: 1
    assert _wait_for_ts(s, ok.response["ts"]).message_ts == ok.response["ts"]


def test_server_errors_are_retried(s) -> None:
    s.fake.fail_next("chat.postMessage", status=500)
    s.driver.send_slash("need NLB and ECI, 12 nodes")
    s.fake.wait_for("chat.postMessage", timeout=6)
    assert [c.status for c in s.fake.calls_to("chat.postMessage")] == [500, 200]


def test_persistent_failure_tells_the_user(s) -> None:
    s.fake.fail_next("chat.postMessage", status=500, times=3)  # the first try and both retries
    s.driver.send_slash("need NLB, 13 nodes")
    call = s.fake.wait_for("response_url", timeout=8)
    assert "Slack did not accept the card" in json.dumps(call.params)


def test_permalink_failure_keeps_the_card_and_its_ts(s) -> None:
    s.fake.fail_next("chat.getPermalink", error="internal_error")
    s.driver.send_slash("need NLB, 14 nodes")
    post = s.fake.wait_for("chat.postMessage")
    decision = _wait_for_ts(s, post.response["ts"])
    assert decision.permalink is None


def _wait_for_ts(s, ts: str, channel: str = "C0GENERAL"):
    """The decision attached to message ts (attach_message runs just after the permalink)."""
    settle(s)
    found = s.log.by_message(channel, ts)
    assert found is not None, f"no decision attached to {channel} {ts}"
    return found


def _form(body: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(body)


def test_a_question_with_the_word_payload_in_it_is_answered(s) -> None:
    """Bolt reads any form body containing "payload" as an interactive payload: the server
    gives it the slash command's own fields."""
    sent = s.driver.send_slash("400 ENS nodes, need NLB, payload size 1500 bytes")
    assert sent.status == 200
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["text"].startswith("Recommended: Terway Edge")
