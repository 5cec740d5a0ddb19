"""The "Plan cluster network" global shortcut: the modal, then the card in the user's DM."""

from __future__ import annotations

import json

from bot.slack import ids


def test_shortcut_opens_the_modal_and_the_card_goes_to_the_dm(s) -> None:
    sent = s.driver.send_shortcut(ids.PLAN_SHORTCUT, user="U0BOB")
    assert sent.status == 200
    opened = s.fake.wait_for("views.open")
    view = s.workspace.views[opened.response["view"]["id"]].view
    assert json.loads(view["private_metadata"]) == {"dm": True}
    s.driver.submit(view, {"q:location": ["ens"], "q:nodes": "300"}, user="U0BOB")
    dm = s.fake.wait_for("conversations.open")
    assert dm.params["users"] == "U0BOB"
    post = s.fake.wait_for("chat.postMessage")
    channel = s.workspace.channels[post.response["channel"]]
    assert channel.is_im and channel.im_user == "U0BOB"
    decision = s.log.get(int(post.params["blocks"][-1]["elements"][0]["value"]))
    assert decision.visibility == "dm" and decision.source == "modal"
