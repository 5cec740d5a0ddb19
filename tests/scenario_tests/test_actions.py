"""The card's buttons: Explain in the thread (once), Adjust answers, Checklist."""

from __future__ import annotations

import json

from blockkit import block_problems
from slackstack import post_card

from bot.slack import ids


def test_explain_posts_everything_in_the_cards_thread_once(s) -> None:
    card = post_card(s)
    first = s.driver.click(card, ids.EXPLAIN)
    second = s.driver.click(card, ids.EXPLAIN)  # a double click
    assert first.status == second.status == 200
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == card.ts
    assert block_problems(post.params["blocks"]) == []
    text = json.dumps(post.params)
    assert "Why not Flannel" in text and "Sources" in text and "Connectivity checklist" in text
    s.fake.wait_for("response_url")  # the second click: told it is already there
    assert len(s.fake.calls_to("chat.postMessage")) == 1
    assert len(s.workspace.channels["C0GENERAL"].thread(card.ts)) == 1


def test_adjust_answers_opens_the_prefilled_modal_and_links_the_new_decision(s) -> None:
    card = post_card(s, "location=idc cross-lan=yes bgp=yes leased-line=yes nodes=50")
    parent_id = int(card.blocks[-1]["elements"][0]["value"])
    s.driver.click(card, ids.ADJUST)
    opened = s.fake.wait_for("views.open")
    view = s.workspace.views[opened.response["view"]["id"]].view
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert blocks["q:nodes"]["element"]["initial_value"] == "50"
    assert blocks["q:bgp"]["element"]["initial_option"]["value"] == "yes"
    assert [o["value"] for o in blocks["q:location"]["element"]["initial_options"]] == ["idc"]
    assert json.loads(view["private_metadata"])["parent"] == parent_id
    s.driver.submit(view, {"q:nodes": "500"})
    post = s.fake.wait_for("chat.postMessage")
    child = s.log.get(int(post.params["blocks"][-1]["elements"][0]["value"]))
    assert child.parent_id == parent_id and child.plan["nodes"] == 500
    assert child.plan["location"] == ["idc"]  # kept from the parent's answers


def test_checklist_button_answers_ephemerally_with_the_commands(s) -> None:
    card = post_card(s, "need NLB, 30 nodes l3=yes priority=simplicity")
    s.driver.click(card, ids.CHECKLIST, user="U0BOB")
    call = s.fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    assert "Verify:" in json.dumps(call.params)
    assert block_problems(call.params["blocks"]) == []
    assert not s.fake.calls_to("chat.postMessage")


def test_a_button_for_an_unknown_decision_says_so(s) -> None:
    card = post_card(s)
    s.driver.send_block_action(
        ids.EXPLAIN, value="999999", channel=card.channel, message_ts=card.ts
    )
    call = s.fake.wait_for("response_url")
    assert "cannot find decision #999999" in json.dumps(call.params)
