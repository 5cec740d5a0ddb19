"""The Home tab over the wire: a signed `app_home_opened` event to the real endpoint, and the
view the app publishes (views.publish) for that user, scoped as history is."""

from __future__ import annotations

import json
import logging

import pytest
from slackstack import post_card
from waiting import settle

from bot.decisions.adoption import adopt
from bot.slack import ids

CAROL = "U0CAROL"  # joins after the channels were made: in none of them


@pytest.fixture(scope="module")
def decided(stack):
    """Alice's decisions: one adopted in #general (public), two in #platform (private), each
    for its own cluster, and one in #general she has not adopted."""
    stack.workspace.add_user("carol", user_id=CAROL)
    found = {}
    for name, channel in (
        ("public", "C0GENERAL"),
        ("private", "C0PLATFORM"),
        ("private2", "C0PLATFORM"),
        ("proposal", "C0GENERAL"),
    ):
        card = post_card(stack, channel=channel)
        found[name] = stack.log.by_message(channel, card.ts)
    adopt(stack.log, found["public"].id, cluster="edge-public", by="U0ALICE")
    adopt(stack.log, found["private"].id, cluster="edge-secret", by="U0ALICE")
    adopt(stack.log, found["private2"].id, cluster="edge-secret-2", by="U0BOB")
    return found


def home_event(user: str, tab: str = "home") -> dict:
    return {
        "type": ids.APP_HOME_OPENED,
        "user": user,
        "channel": "D0HOME" + user[-3:],
        "tab": tab,
        "event_ts": "1767225600.000100",
    }


def open_home(s, user: str, **kw) -> dict:
    """Open the Home tab as `user`; the view the app published for them."""
    sent = s.driver.send_event(home_event(user), **kw)
    assert sent.status == 200  # acked
    call = s.fake.wait_for("views.publish", where=lambda c: c.params["user_id"] == user)
    settle(s)
    return call.params["view"]


def text_of(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_a_member_sees_the_adopted_decisions_and_her_proposals(s, decided) -> None:
    view = open_home(s, "U0ALICE")
    assert view["type"] == "home"
    text = text_of(view)
    for cluster in ("edge-public", "edge-secret", "edge-secret-2"):
        assert f"*{cluster}*" in text
    assert "Terway Edge" in text and "<@U0ALICE>" in text and "<@U0BOB>" in text
    assert "review before the cluster is created" in text
    permalink = decided["public"].permalink
    assert permalink and f"<{permalink}|Decision #{decided['public'].id}>" in text
    # her proposal, not the adopted ones
    proposals = view["blocks"][-2]["text"]["text"]
    assert f"Decision #{decided['proposal'].id}" in proposals
    assert f"Decision #{decided['public'].id}>" not in proposals
    # #platform's membership was asked once for the two decisions made there
    asked = [c.params["channel"] for c in s.fake.calls_to("conversations.members")]
    assert asked == ["C0PLATFORM"]


def test_a_private_channels_decision_is_not_shown_to_a_non_member(s, decided) -> None:
    view = open_home(s, CAROL)
    text = text_of(view)
    assert "*edge-public*" in text
    assert "edge-secret" not in text and "C0PLATFORM" not in text
    assert f"#{decided['private'].id}" not in text
    assert "No proposals of yours are waiting" in text  # carol asked nothing
    assert view["blocks"][-1]["text"]["text"].count("*Adopt*") == 1


def test_a_member_sees_it_too(s, decided) -> None:
    assert "*edge-secret*" in text_of(open_home(s, "U0BOB"))


def test_a_membership_that_cannot_be_read_is_not_membership(s, decided) -> None:
    s.fake.fail_next("conversations.members", error="internal_error", times=3)
    text = text_of(open_home(s, "U0ALICE"))
    assert "*edge-public*" in text and "edge-secret" not in text


def test_published_once_however_often_slack_retries(s, decided) -> None:
    event = home_event("U0BOB")
    assert s.driver.send_event(event, event_id="Ev0HOME1").status == 200
    assert s.driver.send_event(event, event_id="Ev0HOME1", retry_num=1).status == 200
    assert s.driver.send_event(event, event_id="Ev0HOME1", retry_num=2).status == 200
    settle(s)
    assert len(s.fake.calls_to("views.publish")) == 1
    s.driver.send_event(event, event_id="Ev0HOME2")  # opened again: published again
    s.fake.wait_for("views.publish", count=2)


def test_the_messages_tab_publishes_nothing(s, decided) -> None:
    assert s.driver.send_event(home_event("U0ALICE", tab="messages")).status == 200
    settle(s)
    assert s.fake.calls_to("views.publish") == []


def test_a_refused_publish_is_logged_and_a_retry_publishes(s, decided, caplog) -> None:
    s.fake.fail_next("views.publish", error="invalid_arguments")
    event = home_event("U0ALICE")
    with caplog.at_level(logging.INFO):
        assert s.driver.send_event(event, event_id="Ev0HOME3").status == 200
        s.fake.wait_for("views.publish", ok=False)
        settle(s)
    failed = [r for r in caplog.records if "views.publish" in r.getMessage()]
    assert failed and failed[0].levelno == logging.WARNING and not failed[0].exc_info
    assert "invalid_arguments" in failed[0].getMessage()
    assert s.fake.bot_token not in caplog.text
    assert s.fake.calls_to("chat.postMessage") == []  # nobody is told in a channel
    assert s.driver.send_event(event, event_id="Ev0HOME3", retry_num=1).status == 200
    s.fake.wait_for("views.publish")
    assert "*edge-public*" in text_of(s.workspace.homes["U0ALICE"])
