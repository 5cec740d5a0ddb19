"""An @mention carrying a question, over the wire (issue 12): answered like `/netplugin
<question>`, with the card in the mention's thread, once, and logged as a decision; a bare
mention still gets how to ask. Signed JSON `app_mention` events to the real endpoint, the fake
Slack recording what the app does."""

from __future__ import annotations

import json

from slack_sdk import WebClient
from waiting import settle

from bot.core.knowledge import default_knowledge
from bot.slack import ids
from bot.slack.deps import Advisor
from bot.slack.events.mention import keep_mention, mention_key
from bot.slack.posting import CARD_EVENT
from bot.slack.recovery import finish_acknowledged

BOT = "<@U0NETBOT>"
# Calls after a card is posted, beside the posting: its link, the names of who asked and where.
AROUND_THE_POST = ("chat.getPermalink", "users.info", "conversations.info")
QUESTION = "300 nodes in our own data centre, BGP yes"


def mention(s, text: str, *, channel: str = "C0GENERAL", user: str = "U0ALICE", **extra):
    """A person's message mentioning the bot, and the `app_mention` event Slack sends for it."""
    message = s.workspace.post(channel, text=text, user=user, thread_ts=extra.get("thread_ts"))
    return {
        "type": ids.APP_MENTION,
        "user": user,
        "text": text,
        "ts": message.ts,
        "channel": channel,
        "event_ts": message.ts,
        **extra,
    }


def cards_in(s, channel: str, thread_ts: str) -> list:
    return [
        m
        for m in s.workspace.channels[channel].thread(thread_ts)
        if (m.metadata or {}).get("event_type") == CARD_EVENT
    ]


def test_a_mention_with_a_question_gets_its_card_in_the_mentions_thread_once(s) -> None:
    before = s.log.count()
    event = mention(s, f"{BOT} {QUESTION}")
    assert s.driver.send_event(event, event_id="Ev0ASK1").status == 200
    assert s.driver.send_event(event, event_id="Ev0ASK1", retry_num=1).status == 200
    # The same message as Slack's `message` event too (the app listens to channel messages).
    message = {**event, "type": "message", "channel_type": "channel"}
    assert s.driver.send_event(message, event_id="Ev0ASK1M").status == 200
    post = s.fake.wait_for("chat.postMessage")
    settle(s)

    posts = s.fake.calls_to("chat.postMessage")
    assert len(posts) == 1, [p.params.get("text") for p in posts]
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["thread_ts"] == event["ts"]  # in the mention's thread
    assert post.params["text"].startswith("Recommended: Terway Edge")
    assert "Hi!" not in json.dumps(post.params)  # not the greeting
    assert len(cards_in(s, "C0GENERAL", event["ts"])) == 1

    decision = s.log.by_request_key(mention_key(event))
    assert s.log.count() == before + 1
    assert decision.source == "mention" and decision.user == "U0ALICE"
    assert decision.raw_text == QUESTION
    assert decision.channel == "C0GENERAL" and decision.thread_ts == event["ts"]
    assert decision.message_ts == post.response["ts"] and decision.post_state == "posted"
    assert decision.plan["location"] == ["idc"] and decision.plan["nodes"] == 300
    assert decision.plan["bgp"] is True
    # A mention says nothing of the channel's type: shown only where it was asked.
    assert decision.visibility == "unknown"
    assert post.params["metadata"]["event_payload"]["decision_id"] == decision.id


def test_a_reply_in_the_mentions_thread_is_about_that_card(s) -> None:
    event = mention(s, f"{BOT} location=edge-device nodes=12 dispersed=yes")
    s.driver.send_event(event)
    s.fake.wait_for("chat.postMessage")
    settle(s)
    decision = s.log.by_request_key(mention_key(event))
    assert decision.plugin == "flannel"
    s.fake.reset()
    reply = s.workspace.post(
        "C0GENERAL", text="why not terway?", user="U0BOB", thread_ts=event["ts"]
    )
    s.driver.send_event(
        {
            "type": "message",
            "channel": "C0GENERAL",
            "channel_type": "channel",
            "user": "U0BOB",
            "text": reply.text,
            "ts": reply.ts,
            "thread_ts": event["ts"],
            "event_ts": reply.ts,
        }
    )
    answer = s.fake.wait_for("chat.postMessage")
    assert answer.params["thread_ts"] == event["ts"]
    assert "Why not Terway Edge" in answer.params["text"]
    assert f"decision {decision.id}" in answer.params["text"]


def test_a_bare_mention_still_gets_how_to_ask(s) -> None:
    before = s.log.count()
    for n, words in enumerate(("hi", "help", "how do I ask?")):
        s.fake.reset()
        event = mention(s, f"{BOT} {words}")
        s.driver.send_event(event, event_id=f"Ev0BARE{n}")
        post = s.fake.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == event["ts"]
        assert "/netplugin" in post.params["text"] and "Hi!" in post.params["text"]
    settle(s)
    assert s.log.count() == before  # nothing decided, nothing logged


def test_words_it_cannot_read_are_said_in_the_thread_once_and_nothing_is_logged(s) -> None:
    before = s.log.count()
    event = mention(s, f"{BOT} nodes=lots")
    s.driver.send_event(event, event_id="Ev0LOTS")
    s.driver.send_event(event, event_id="Ev0LOTS", retry_num=1)
    post = s.fake.wait_for("chat.postMessage")
    settle(s)
    assert len(s.fake.calls_to("chat.postMessage")) == 1
    assert post.params["thread_ts"] == event["ts"]
    assert "`nodes` does not accept `lots`" in json.dumps(post.params)
    assert s.log.count() == before
    kept = list(s.log.db["requests"].rows_where("key = ?", [mention_key(event)]))
    assert kept and kept[0]["done_at"]  # kept before the ack, closed by the answer


def test_a_card_post_with_no_answer_is_looked_for_in_the_thread_then_posted_once(s) -> None:
    s.fake.fail_next("chat.postMessage", status=500)
    event = mention(s, f"{BOT} 40 ENS nodes, need NLB")
    s.driver.send_event(event)
    s.fake.wait_for("chat.postMessage", timeout=6)  # the successful one
    settle(s)
    calls = [(c.method, c.status) for c in s.fake.calls if c.method not in AROUND_THE_POST]
    assert calls == [
        ("chat.postMessage", 500),
        ("conversations.replies", 200),  # the thread is where it would be
        ("chat.postMessage", 200),
    ]
    look = s.fake.calls_to("conversations.replies")[0]
    assert look.params["ts"] == event["ts"] and look.params["include_all_metadata"] == "1"
    assert len(cards_in(s, "C0GENERAL", event["ts"])) == 1


def test_a_mention_kept_by_a_process_that_died_is_answered_at_restart(s) -> None:
    event = mention(s, f"{BOT} 25 edge devices in shops, dispersed")
    advisor = Advisor(kb=default_knowledge(), log=s.log, bot_user_id=s.workspace.bot_user_id)
    acked = []
    body = {"team_id": "T0NETPLUG", "event": event}
    keep_mention(
        ack=lambda: acked.append(True), body=body, event=event, context={"advisor": advisor}
    )
    assert acked == [True]  # kept, acknowledged; then the process died
    s.fake.reset()
    client = WebClient(token=s.fake.bot_token, base_url=s.fake.api_url)
    assert finish_acknowledged(advisor, client) >= 1
    post = s.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params.get("thread_ts") == event["ts"]
    )
    assert post.params["text"].startswith("Recommended: Flannel")
    decision = s.log.by_request_key(mention_key(event))
    assert decision.team == "T0NETPLUG" and decision.thread_ts == event["ts"]
    assert len(cards_in(s, "C0GENERAL", event["ts"])) == 1
