"""Signed but malformed payloads (issue 11, defect 10) get a clear answer, never a 500 nor
"something went wrong", and leave no traceback in the log: a view_submission without `state`, a
button whose value is 30 digits, a slash command or a click without `response_url`."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from slackstack import post_card
from waiting import settle

from bot.slack import ids


@pytest.fixture
def quiet(caplog):
    """The log, to check that nothing in it is an error (a traceback is logged as one)."""
    caplog.set_level(logging.INFO)
    yield caplog
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]


def open_modal(s):
    s.driver.send_slash("", channel="C0GENERAL")
    call = s.fake.wait_for("views.open")
    settle(s)
    s.fake.reset()
    return s.workspace.views[call.response["view"]["id"]].view


@pytest.mark.parametrize("state", ["absent", {}, None, {"values": "not an object"}])
def test_a_submission_without_its_answers_is_told_so_in_the_modal(s, quiet, state) -> None:
    view = open_modal(s)
    payload = s.driver.view_submission_payload(view, {})
    if state == "absent":
        del payload["view"]["state"]
    else:
        payload["view"]["state"] = state
    sent = s.driver.send_interaction(payload)
    if sent.status == 400:  # refused before Bolt as not shaped like Slack's (runtime/admission)
        assert state in (None, {"values": "not an object"})
    else:
        assert sent.status == 200, sent.body
        answer = sent.json()
        assert answer["response_action"] == "errors"  # shown in the modal, on its first input
        first_input = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
        assert list(answer["errors"]) == [first_input]
        (error,) = answer["errors"].values()
        assert "without its answers" in error and "nothing was recorded" in error
    settle(s)
    assert s.fake.calls == []  # no card, no "something went wrong"


def test_a_30_digit_button_value_is_a_decision_that_is_not_there(s, quiet) -> None:
    card = post_card(s)
    sent = s.driver.send_block_action(
        ids.EXPLAIN, value="1" * 30, channel=card.channel, message_ts=card.ts
    )
    assert sent.status == 200
    told = s.fake.wait_for("response_url")
    assert "cannot find decision #11111111111111111111…" in told.params["text"]
    assert "went wrong" not in told.params["text"]
    for value in ("²", "-1", "9" * 19, "１２"):  # unicode digits, a sign, past SQLite's integers
        s.fake.reset()
        s.driver.send_block_action(
            ids.CHECKLIST, value=value, channel=card.channel, message_ts=card.ts
        )
        assert "cannot find decision" in s.fake.wait_for("response_url").params["text"]


@pytest.mark.parametrize("text", ["location=ens nodes=500", "nodes=abc", "help", "history"])
def test_a_slash_command_without_response_url_is_answered_in_its_ack(s, quiet, text) -> None:
    body = s.driver.slash_body(text)
    del body["response_url"]
    sent = s.driver.post(urlencode(body), "application/x-www-form-urlencoded")
    assert sent.status == 200
    answer = sent.json()
    assert answer["response_type"] == "ephemeral"
    assert "without its response_url" in answer["text"]
    settle(s)
    assert s.fake.calls == []
    assert s.log.by_request_key(body["trigger_id"]) is None


def test_a_click_without_response_url_is_answered_in_a_dm(s, quiet) -> None:
    card = post_card(s)
    payload = s.driver.block_action_payload(
        ids.CHECKLIST,
        value=card.blocks[-1]["elements"][0]["value"],
        channel=card.channel,
        message_ts=card.ts,
        user="U0BOB",
    )
    del payload["response_url"]
    assert s.driver.send_interaction(payload).status == 200
    opened = s.fake.wait_for("conversations.open")
    assert opened.params["users"] == "U0BOB"
    dm = s.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == opened.response["channel"]["id"]
    assert "Verify:" in json.dumps(dm.params)


def test_a_response_url_that_is_not_a_url_is_none(s, quiet) -> None:
    card = post_card(s)
    payload = s.driver.block_action_payload(
        ids.EXPLAIN, value="999999", channel=card.channel, message_ts=card.ts
    )
    payload["response_url"] = "not a url"
    assert s.driver.send_interaction(payload).status == 200
    dm = s.fake.wait_for("chat.postMessage")  # told in a DM instead
    assert "cannot find decision #999999" in dm.params["text"]
