"""The questionnaire modal: built from the questions, validated with parse_value on submit."""

from __future__ import annotations

import json

from blockkit import block_problems

from bot.core.knowledge import default_knowledge
from bot.slack import ids

KB = default_knowledge()


def open_modal(s, channel: str = "C0GENERAL"):
    s.driver.send_slash("", channel=channel)
    call = s.fake.wait_for("views.open")
    return s.workspace.views[call.response["view"]["id"]]


def test_the_modal_has_one_optional_input_per_question(s) -> None:
    view = open_modal(s).view
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [ids.question_block_id(q.key) for q in KB.questions]
    assert all(b["optional"] for b in inputs)
    kinds = {b["block_id"]: b["element"]["type"] for b in inputs}
    assert kinds["q:nodes"] == "number_input"
    assert kinds["q:location"] == "checkboxes"
    assert kinds["q:priority"] == "radio_buttons"  # widget from questions.yaml
    assert kinds["q:bgp"] == "radio_buttons"
    assert kinds["q:pod-cidr"] == "plain_text_input"
    nodes = next(b for b in inputs if b["block_id"] == "q:nodes")
    assert nodes["element"]["min_value"] == "1" and nodes["element"]["max_value"] == "100000"
    assert nodes["label"]["text"] == KB.question("nodes").label
    assert nodes["hint"]["text"] == KB.question("nodes").help
    assert block_problems(view["blocks"], limit=100) == []


def test_submission_posts_the_card_in_the_originating_channel(s) -> None:
    view = open_modal(s, channel="C0PLATFORM")
    sent = s.driver.submit(
        view, {"q:location": ["idc", "cloud"], "q:nodes": "120", "q:cross-lan": "yes"}
    )
    assert sent.status == 200 and sent.body == b""  # the modal closes
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0PLATFORM"
    assert block_problems(post.params["blocks"]) == []
    decision = s.log.get(int(post.params["blocks"][-1]["elements"][0]["value"]))
    assert decision.source == "modal" and decision.visibility == "private"
    assert decision.plan["location"] == ["idc", "cloud"] and decision.plan["nodes"] == 120


def test_invalid_values_answer_errors_by_block_id(s) -> None:
    view = open_modal(s)
    sent = s.driver.submit(view, {"q:pod-cidr": "10.0.0.1/16", "q:service-cidr": "banana"})
    assert sent.status == 200
    answer = sent.json()
    assert answer["response_action"] == "errors"
    assert "Did you mean `10.0.0.0/16`" in answer["errors"]["q:pod-cidr"]
    assert "an IPv4 CIDR" in answer["errors"]["q:service-cidr"]
    assert not s.fake.calls_to("chat.postMessage")


def test_overlapping_cidrs_mark_the_later_input_naming_the_other(s) -> None:
    view = open_modal(s)
    answers = {"q:pod-cidr": "10.0.0.0/8", "q:service-cidr": "172.16.0.0/16"}
    answers["q:node-cidr"] = "10.1.0.0/16"
    sent = s.driver.submit(view, answers)
    errors = sent.json()["errors"]
    assert list(errors) == ["q:node-cidr"]
    assert "10.1.0.0/16 overlaps pod-cidr 10.0.0.0/8" in errors["q:node-cidr"]


def test_private_metadata_carries_the_channel_and_response_url(s) -> None:
    meta = json.loads(open_modal(s).view["private_metadata"])
    assert meta["channel"] == "C0GENERAL" and meta["visibility"] == "public"
    assert "/response_url/" in meta["response_url"]


def test_submission_to_a_channel_without_the_bot_falls_back_to_response_url(s) -> None:
    view = open_modal(s, channel="C0RANDOM")
    s.driver.submit(view, {"q:pod-ip-access": "yes"})
    call = s.fake.wait_for("response_url")
    assert "/invite @NetPlugin Advisor" in json.dumps(call.params)
