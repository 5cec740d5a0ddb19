"""The questionnaire modal: built from the questions, validated with parse_value on submit."""

from __future__ import annotations

import json

import pytest
from blockkit import block_problems
from pydantic import ValidationError
from slackstack import post_card

from bot.core.knowledge import default_knowledge
from bot.core.plan import plan_model
from bot.fakeslack.driver import state_values
from bot.slack import ids, modal

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
    assert kinds["q:k8s-version"] == "plain_text_input"
    version = next(b for b in inputs if b["block_id"] == "q:k8s-version")
    assert version["element"]["placeholder"]["text"] == "1.30"
    assert version["label"]["text"] == KB.question("k8s-version").label
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
    assert answer["errors"]["q:pod-cidr"] == (
        "“Pod (container) CIDR” needs a network address: 10.0.0.1/16 has host bits set. "
        "Did you mean 10.0.0.0/16?"
    )
    assert answer["errors"]["q:service-cidr"] == (
        "“Service CIDR” needs an IPv4 CIDR such as 10.0.0.0/16, not “banana”."
    )
    assert not s.fake.calls_to("chat.postMessage")


def test_overlapping_cidrs_mark_the_later_input_naming_the_other(s) -> None:
    view = open_modal(s)
    answers = {"q:pod-cidr": "10.0.0.0/8", "q:service-cidr": "172.16.0.0/16"}
    answers["q:node-cidr"] = "10.1.0.0/16"
    sent = s.driver.submit(view, answers)
    errors = sent.json()["errors"]
    assert list(errors) == ["q:node-cidr"]
    assert errors["q:node-cidr"].startswith(
        "“Node / VPC CIDR”: 10.1.0.0/16 overlaps 10.0.0.0/8, given for “Pod (container) CIDR”."
    )


# Slack shows these messages as plain text: mrkdwn's markup would show as it is typed.
MARKUP = set("`*~<>")


def test_every_error_is_plain_text_naming_its_question(s) -> None:
    view = open_modal(s)
    values = state_values(
        view.view,
        {
            "q:nodes": "0",
            "q:k8s-version": "1.3x",
            "q:pod-cidr": "10.0.0.1/16",
            "q:service-cidr": "banana",
            "q:pods-per-node": "1.5",
        },
    )
    # What a forged or stale form could carry: options the modal does not offer.
    values["q:bgp"] = {ids.QUESTION_ACTION: _chosen("radio_buttons", "maybe")}
    values["q:priority"] = {ids.QUESTION_ACTION: _chosen("radio_buttons", "*cheap*")}
    sent = s.driver.send_view_submission(view.view, values)
    assert sent.status == 200 and sent.json()["response_action"] == "errors"
    errors = sent.json()["errors"]
    wrong = ["nodes", "k8s-version", "pod-cidr", "service-cidr", "pods-per-node", "bgp", "priority"]
    assert sorted(errors) == sorted(ids.question_block_id(k) for k in wrong)
    for key in wrong:
        text = errors[ids.question_block_id(key)]
        assert KB.question(key).label in text, text
        assert KB.question(key).accepted() in text or "host bits" in text, text
        assert key not in text.replace(KB.question(key).label, ""), text  # the label, not the key
        assert not MARKUP & set(text.replace("*cheap*", "")), text
    assert errors["q:nodes"] == (
        "“How many nodes, at the most, in the next two years?” needs a whole number "
        "from 1 to 100000, not “0”."
    )
    assert not s.fake.calls_to("chat.postMessage")


def test_a_kubernetes_version_is_read_as_the_grammar_reads_it(s) -> None:
    view = open_modal(s, channel="C0PLATFORM")
    sent = s.driver.submit(view, {"q:k8s-version": "v1.30.1-aliyun.1", "q:nodes": "40"})
    assert sent.status == 200 and sent.body == b""
    post = s.fake.wait_for("chat.postMessage")
    decision = s.log.get(int(post.params["blocks"][-1]["elements"][0]["value"]))
    assert decision.plan["k8s-version"] == "1.30" and decision.plan["nodes"] == 40


def test_an_invalid_version_keeps_the_modal_open_naming_the_question(s) -> None:
    view = open_modal(s)
    sent = s.driver.submit(view, {"q:k8s-version": "banana"})
    assert sent.json() == {
        "response_action": "errors",
        "errors": {
            "q:k8s-version": (
                f"“{KB.question('k8s-version').label}” needs a Kubernetes version such as "
                "1.30, not “banana”."
            )
        },
    }
    assert not s.fake.calls_to("chat.postMessage")


def test_adjust_answers_fills_in_the_version(s) -> None:
    card = post_card(s, "k8s-version=1.29 nodes=50")
    s.driver.click(card, ids.ADJUST)
    opened = s.fake.wait_for("views.open")
    view = s.workspace.views[opened.response["view"]["id"]].view
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks["q:k8s-version"]["element"]["initial_value"] == "1.29"


def test_a_value_the_plan_model_refuses_is_named_by_its_question() -> None:
    """What parse_value lets through and the model does not (none today) keeps the modal open
    on the question the model names, in the same plain words."""
    with pytest.raises(ValidationError) as refused:
        plan_model(KB).model_validate({"nodes": 0})
    assert modal._rejected(KB, refused.value) == {
        "q:nodes": "“How many nodes, at the most, in the next two years?” cannot take this "
        "answer: Input should be greater than or equal to 1."
    }


def _chosen(kind: str, value: str) -> dict:
    option = {"text": {"type": "plain_text", "text": value}, "value": value}
    return {"type": kind, "selected_option": option}


def test_private_metadata_carries_the_channel_and_response_url(s) -> None:
    meta = json.loads(open_modal(s).view["private_metadata"])
    assert meta["channel"] == "C0GENERAL" and meta["visibility"] == "public"
    assert "/response_url/" in meta["response_url"]


def test_submission_to_a_channel_without_the_bot_falls_back_to_response_url(s) -> None:
    view = open_modal(s, channel="C0RANDOM")
    s.driver.submit(view, {"q:pod-ip-access": "yes"})
    call = s.fake.wait_for("response_url")
    assert "/invite @NetPlugin Advisor" in json.dumps(call.params)
