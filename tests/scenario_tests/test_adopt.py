"""Adopting a decision over the wire (issue 13): the Adopt button, its modal, the log, the
card's thread and the card; superseding; who may adopt where; replays."""

from __future__ import annotations

import json

from slackstack import post_card
from waiting import settle

from bot.slack import ids


def decision_of(card) -> int:
    return int(card.blocks[-1]["elements"][0]["value"])


def adopt_by_click(s, card, cluster: str, *, user: str = "U0ALICE", review_by: str | None = None):
    s.driver.click(card, ids.ADOPT, user=user)
    opened = s.fake.wait_for("views.open")
    view = s.workspace.views[opened.response["view"]["id"]].view
    answers = {ids.ADOPT_CLUSTER_BLOCK: cluster}
    if review_by:
        answers[ids.ADOPT_REVIEW_BLOCK] = review_by
    sent = s.driver.submit(view, answers, user=user)
    assert sent.status == 200 and not sent.body, sent.body  # no errors: the modal closes
    return view


def test_adopt_logs_it_says_it_in_the_thread_and_shows_it_on_the_card(s) -> None:
    card = post_card(s, "location=ens nodes=500 integrations=nlb")
    number = decision_of(card)
    adopt_by_click(s, card, "edge-prod", review_by="2099-01-31")
    said = s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    decision = s.log.get(number)
    assert (decision.state, decision.cluster, decision.adopted_by) == (
        "adopted",
        "edge-prod",
        "U0ALICE",
    )
    assert decision.review_by == "2099-01-31"
    assert said.params["thread_ts"] == card.ts and said.params["channel"] == "C0GENERAL"
    assert "<@U0ALICE> adopted this decision" in json.dumps(said.params["blocks"])
    (update,) = s.fake.calls_to("chat.update")
    assert update.params["ts"] == card.ts
    redrawn = json.dumps(s.workspace.channels["C0GENERAL"].message(card.ts).blocks)
    assert "*Adopted* for *edge-prod*" in redrawn and ids.ADOPT not in redrawn
    # the adopter's Home tab lists it at once
    home = s.fake.wait_for("views.publish", where=lambda c: c.params.get("user_id") == "U0ALICE")
    assert "edge-prod" in json.dumps(home.params["view"])


def test_a_second_adoption_for_the_cluster_supersedes_the_first_both_ways(s) -> None:
    first = post_card(s, "location=idc bgp=yes nodes=300")
    adopt_by_click(s, first, "edge-eu")
    s.fake.wait_for("chat.update")
    settle(s)
    s.fake.reset()
    second = post_card(s, "location=edge-device nodes=12 dispersed=yes")
    adopt_by_click(s, second, "edge-eu", user="U0BOB")
    s.fake.wait_for("chat.update", count=2)
    settle(s)
    old, new = s.log.get(decision_of(first)), s.log.get(decision_of(second))
    assert (old.state, old.superseded_by) == ("superseded", new.id)
    assert (new.state, new.supersedes, new.adopted_by) == ("adopted", old.id, "U0BOB")
    old_card = json.dumps(s.workspace.channels["C0GENERAL"].message(first.ts).blocks)
    assert f"decision #{new.id} is now adopted for *edge-eu*" in old_card
    said = s.fake.calls_to("chat.postMessage")[-1]
    assert f"decision #{old.id}" in json.dumps(said.params["blocks"])


def test_a_replayed_submission_adopts_once(s) -> None:
    card = post_card(s, "location=ens nodes=200")
    view = adopt_by_click(s, card, "edge-replay")
    s.fake.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts"))
    settle(s)
    s.driver.submit(view, {ids.ADOPT_CLUSTER_BLOCK: "edge-replay"})  # Slack sends it again
    told = s.fake.wait_for("response_url")
    settle(s)
    assert "already adopted for edge-replay" in json.dumps(told.params)
    thread_posts = [c for c in s.fake.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(thread_posts) == 1 and len(s.fake.calls_to("chat.update")) == 1


def test_a_non_member_or_another_channel_is_refused(s) -> None:
    s.workspace.add_user("carol", user_id="U0CAROL")  # after the channels: in none of them
    card = post_card(s, "location=ens nodes=200")
    s.driver.click(card, ids.ADOPT, user="U0CAROL")
    told = s.fake.wait_for("response_url")
    settle(s)
    assert "Only members of the channel" in json.dumps(told.params)
    assert not s.fake.calls_to("views.open")
    s.fake.reset()
    # the same decision's button, clicked from another channel's message
    s.driver.send_block_action(
        ids.ADOPT,
        value=str(decision_of(card)),
        channel="C0PLATFORM",
        message_ts=card.ts,
        user="U0ALICE",
    )
    told = s.fake.wait_for("response_url")
    settle(s)
    assert "made in another channel: adopt it there" in json.dumps(told.params)
    assert not s.fake.calls_to("views.open")
    assert s.log.get(decision_of(card)).state == "proposed"


def test_a_bad_cluster_name_keeps_the_modal_open_with_the_error_under_it(s) -> None:
    card = post_card(s, "location=ens nodes=200")
    s.driver.click(card, ids.ADOPT)
    opened = s.fake.wait_for("views.open")
    view = s.workspace.views[opened.response["view"]["id"]].view
    sent = s.driver.submit(view, {ids.ADOPT_CLUSTER_BLOCK: "edge prod!"})
    answer = json.loads(sent.body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.ADOPT_CLUSTER_BLOCK}
    assert "`" not in answer["errors"][ids.ADOPT_CLUSTER_BLOCK]  # plain text, as Slack shows it
    settle(s)
    assert s.log.get(decision_of(card)).state == "proposed"


def test_adopt_typed_as_a_command(s) -> None:
    card = post_card(s, "location=ens nodes=500")
    number = decision_of(card)
    s.driver.send_slash(f"adopt {number} edge-cli", channel="C0GENERAL")
    s.fake.wait_for("chat.update")
    settle(s)
    assert s.log.get(number).cluster == "edge-cli"
    s.fake.reset()
    s.driver.send_slash("adopt twelve", channel="C0GENERAL")
    told = s.fake.wait_for("response_url")
    assert "Say which decision and which cluster" in json.dumps(told.params)
