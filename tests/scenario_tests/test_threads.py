"""Replies in a card's thread, and /netplugin history | explain, over the real wire format.

A person replies under a card; Slack sends a signed `message` event (and an `app_mention` too
when the bot is mentioned); the answer comes from the logged decision, in that thread.
"""

from __future__ import annotations

import json

import pytest
from waiting import settle

from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.slack import ids
from bot.slack.commands.past import MAX_HISTORY


def card(s, text: str, channel: str = "C0GENERAL"):
    """Post a card with /netplugin; return (its message, its decision)."""
    s.fake.reset()
    s.driver.send_slash(text, channel=channel)
    settle(s)
    ts = s.fake.wait_for("chat.postMessage").response["ts"]
    decision = s.log.by_message(channel, ts)
    assert decision is not None, "the card's decision was never completed"
    s.fake.reset()
    return s.workspace.channels[channel].message(ts), decision


def reply(s, parent, text: str, *, user: str = "U0ALICE", event_id=None, retry_num=None, **extra):
    """A person's reply in the card's thread, and the `message` event Slack sends for it."""
    message = s.workspace.post(parent.channel, text=text, user=user, thread_ts=parent.ts)
    event = {
        "type": "message",
        "channel": parent.channel,
        "user": user,
        "text": text,
        "ts": message.ts,
        "thread_ts": parent.ts,
        "event_ts": message.ts,
        "channel_type": "channel",
        **extra,
    }
    sent = s.driver.send_event(event, event_id=event_id, retry_num=retry_num)
    assert sent.status == 200
    return event


def answers_in(s, parent, count: int = 1):
    calls = s.fake.wait_for("chat.postMessage", count=count)
    calls = calls if isinstance(calls, list) else [calls]
    for call in calls:
        assert call.params["thread_ts"] == parent.ts
        assert call.params["channel"] == parent.channel
    return calls


def text_of(call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def words_of(kb, rule_id: str) -> str:
    """The beginning of a rule's text, as a reply says it (JSON-escaped like text_of)."""
    rule = next(r for r in kb.rules if r.id == rule_id)
    return json.dumps(" ".join(rule.text.split()[:6]), ensure_ascii=False)[1:-1]


def test_why_not_flannel_is_answered_in_the_cards_thread(s, kb) -> None:
    parent, decision = card(s, "location=ens nodes=500 pod-ip-access=yes")
    reply(s, parent, "why not flannel?")
    (answer,) = answers_in(s, parent)
    body = text_of(answer)
    assert "Why not Flannel" in body
    assert words_of(kb, "pod-ip-access-needs-underlay") in body  # the rule, in words
    assert f"Decision {decision.id}" in body


def test_why_gives_reasons_inputs_and_checklist_as_decided(s, kb) -> None:
    parent, decision = card(s, "location=edge-device nodes=12 dispersed=yes")
    reply(s, parent, "why?")
    (answer,) = answers_in(s, parent)
    body = text_of(answer)
    assert f"decision {decision.id}" in body
    assert "Why Flannel" in body
    assert words_of(kb, "dispersed-favours-flannel") in body
    assert "`nodes` = 12" in body
    assert "UDP 8472 between nodes" in body  # the vxlan-port item, by its title


def test_a_retried_event_gets_no_second_reply_or_row(s) -> None:
    parent, _ = card(s, "location=ens nodes=500")
    rows = s.log.count()
    event = reply(s, parent, "what if nodes=20", event_id="Ev0THREAD1")
    answers_in(s, parent)
    again = s.driver.send_event(event, event_id="Ev0THREAD1", retry_num=1)
    assert again.status == 200
    settle(s)  # a wrong second reply would have been posted by now
    assert len(s.fake.calls_to("chat.postMessage")) == 1
    assert s.log.count() == rows + 1  # the one what-if


def test_what_if_is_logged_as_a_child_decision(s) -> None:
    parent, decision = card(s, "location=ens nodes=500")
    reply(s, parent, "what if cross-lan=yes leased-line=no")
    (answer,) = answers_in(s, parent)
    body = text_of(answer)
    assert "The answer changes" in body
    assert "Flannel" in body
    (child,) = s.log.children(decision.id)
    assert child.source == "thread-what-if"
    assert child.plugin == "flannel"
    assert child.plan == {
        "location": ["ens"],
        "nodes": 500,
        "cross-lan": True,
        "leased-line": False,
    }
    assert f"decision {child.id}" in body


def test_what_if_in_plain_words(s) -> None:
    parent, decision = card(s, "location=edge-device dispersed=yes")
    reply(s, parent, "what if we had 2000 nodes?")
    (answer,) = answers_in(s, parent)
    assert "2000" in text_of(answer)
    (child,) = s.log.children(decision.id)
    assert child.plan["nodes"] == 2000


def test_a_bad_what_if_names_the_key(s) -> None:
    parent, decision = card(s, "location=ens")
    reply(s, parent, "what if nodes=lots")
    (answer,) = answers_in(s, parent)
    assert "`nodes`" in text_of(answer)
    assert s.log.children(decision.id) == []


def test_checklist_and_help_in_the_thread(s) -> None:
    parent, _ = card(s, "location=edge-device nodes=12")
    reply(s, parent, "checklist")
    (answer,) = answers_in(s, parent)
    assert "dstport 8472" in text_of(answer)
    s.fake.reset()
    reply(s, parent, "thanks, looks good")
    (answer,) = answers_in(s, parent)
    assert "why not flannel" in text_of(answer)


def test_the_bot_ignores_its_own_messages_edits_and_other_threads(s) -> None:
    parent, _ = card(s, "location=ens nodes=500")
    bot = s.workspace.post(parent.channel, text="why?", bot=True, thread_ts=parent.ts)
    s.driver.send_event(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": s.workspace.bot_id,
            "channel": parent.channel,
            "text": "why?",
            "ts": bot.ts,
            "thread_ts": parent.ts,
        }
    )
    s.driver.send_event(
        {
            "type": "message",
            "user": s.workspace.bot_user_id,
            "channel": parent.channel,
            "text": "why?",
            "ts": bot.ts + "1",
            "thread_ts": parent.ts,
        }
    )
    edit = {"type": "message", "subtype": "message_changed", "channel": parent.channel}
    s.driver.send_event({**edit, "ts": "1.1", "thread_ts": parent.ts, "message": {"text": "why"}})
    other = s.workspace.post("C0GENERAL", text="not a card", user="U0BOB")
    s.driver.send_event(
        {
            "type": "message",
            "user": "U0ALICE",
            "channel": "C0GENERAL",
            "text": "why?",
            "ts": "2.2",
            "thread_ts": other.ts,
        }
    )
    settle(s)
    assert s.fake.calls_to("chat.postMessage") == []


def test_a_mention_in_the_thread_is_answered_once(s) -> None:
    parent, _ = card(s, "location=ens nodes=500")
    text = f"<@{s.workspace.bot_user_id}> why not terway?"
    event = reply(s, parent, text)
    mention = {**event, "type": ids.APP_MENTION}
    s.driver.send_event(mention)
    (answer,) = answers_in(s, parent)
    assert "Terway Edge" in text_of(answer)
    assert "was* the recommendation" in text_of(answer)
    settle(s)
    assert len(s.fake.calls_to("chat.postMessage")) == 1


def test_history_lists_this_channels_decisions_with_links(s) -> None:
    _, first = card(s, "location=idc")
    _, second = card(s, "location=other-cloud")
    s.driver.send_slash("history 2")
    call = s.fake.wait_for("response_url")
    body = text_of(call)
    assert call.params["response_type"] == "ephemeral"
    assert f"Decision {second.id}" in body and f"Decision {first.id}" in body
    assert second.permalink.replace("/", "\\/") in body or second.permalink in body


@pytest.mark.parametrize("given", ["abc", "0", "-3", "5 more", "2.5", "²", "1234567890"])
def test_history_with_anything_but_a_count_says_what_it_takes(s, given) -> None:
    card(s, "location=idc")
    s.driver.send_slash(f"history {given}")
    call = s.fake.wait_for("response_url")
    body = text_of(call)
    assert call.params["response_type"] == "ephemeral"
    assert f"takes how many decisions to list, from 1 to {MAX_HISTORY}, not `{given}`" in body
    assert "Try `/netplugin history` (the latest 10) or `/netplugin history 5`" in body
    assert "Recent decisions" not in body and "Decision " not in body  # no list after all


def test_history_beyond_the_most_lists_the_latest_with_a_note(s, kb) -> None:
    parsed = read_question("location=ens nodes=500", kb)
    result = recommend(parsed.plan, kb, parsed.understood).to_json()
    made = [
        s.log.record(result=result, source="cli", channel="C0RANDOM")[0]
        for _ in range(MAX_HISTORY + 1)
    ]
    s.driver.send_slash("history 999", channel="C0RANDOM")
    body = text_of(s.fake.wait_for("response_url"))
    assert f"I list at most {MAX_HISTORY} decisions at once" in body
    assert f"Decision {made[-1].id} ·" in body and f"Decision {made[1].id} ·" in body
    assert f"Decision {made[0].id} ·" not in body
    s.fake.reset()
    s.driver.send_slash(f"history {MAX_HISTORY}", channel="C0RANDOM")  # as asked: no note
    body = text_of(s.fake.wait_for("response_url"))
    assert "at most" not in body and f"Decision {made[1].id} ·" in body


def test_history_beyond_the_most_in_a_quiet_channel_has_no_note(s) -> None:
    _, only = card(s, "location=idc", channel="C0PLATFORM")
    s.driver.send_slash("history 999", channel="C0PLATFORM")
    body = text_of(s.fake.wait_for("response_url"))
    assert f"Decision {only.id}" in body and "at most" not in body


def test_explain_reveals_a_private_decision_only_where_it_was_made(s) -> None:
    _, secret = card(s, "location=idc nodes=700", channel="C0PLATFORM")
    assert secret.visibility == "private"
    s.driver.send_slash(f"explain {secret.id}", channel="C0GENERAL")
    call = s.fake.wait_for("response_url")
    body = text_of(call)
    assert "No decision" in body
    assert "Terway" not in body and "idc" not in body
    s.fake.reset()
    s.driver.send_slash(f"explain {secret.id}", channel="C0PLATFORM")
    call = s.fake.wait_for("response_url")
    assert "Why Terway Edge" in text_of(call)


def test_explain_a_public_decision_from_anywhere_and_a_missing_one(s) -> None:
    _, public = card(s, "location=ens nodes=500")
    s.driver.send_slash(f"explain {public.id}", channel="C0PLATFORM")
    assert "Why Terway Edge" in text_of(s.fake.wait_for("response_url"))
    s.fake.reset()
    s.driver.send_slash("explain 999999")
    assert "No decision `999999`" in text_of(s.fake.wait_for("response_url"))
    s.fake.reset()
    s.driver.send_slash("explain ²")  # a digit to str.isdigit(), not to int()
    assert "No decision `²`" in text_of(s.fake.wait_for("response_url"))
