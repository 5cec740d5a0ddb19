"""One card per decision, and Slack's slowness or rate limits never hold up other channels.

The posting step is claimed in the decision log (pending → posting → posted | failed): replays
and concurrent duplicates post nothing more; a post whose outcome is unknown (a timeout, a 5xx,
a run killed before recording the ts) is looked for in the channel, by the card's message
metadata, before being posted again; a card the user was told had failed is never posted. A
429 or a slow call for one channel waits on that channel's lane, not in the shared workers.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slackstack import Stack, start_stack
from waiting import settle

from bot.core.knowledge import default_knowledge
from bot.fakeslack import FakeSlack
from bot.fakeslack.driver import state_values
from bot.runtime.app import retry_handlers
from bot.slack.deps import Advisor
from bot.slack.posting import CARD_EVENT, card_metadata
from bot.slack.recovery import finish_acknowledged

FORM = "application/x-www-form-urlencoded"
# Calls after a card is posted, beside the posting: its link, the names of who asked and where.
AROUND_THE_POST = ("chat.getPermalink", "users.info", "conversations.info")


@pytest.fixture
def stacks():
    """Stacks of their own (their timers and held answers reach no other test), whose WebClient
    gives up on a call after `timeout` seconds: `stacks(timeout=1)`."""
    made: list[Stack] = []

    def make(timeout: float = 10) -> Stack:
        made.append(start_stack(client_timeout=timeout))
        made[-1].fake.workspace.add_channel("ops", channel_id="C0OPS")
        return made[-1]

    yield make
    for own in made:
        own.fake.reset()  # held answers are sent, rate limits lifted
        own.app.executor.drain(10)  # retries waiting on the timer are dropped
        own.stop()


@pytest.fixture
def own(stacks) -> Stack:
    return stacks()


def _cards(s, channel: str, decision_id: int) -> list:
    """The messages in `channel` that are this decision's card (its buttons name it)."""
    return [
        m
        for m in s.workspace.channels[channel].messages
        if m.blocks and m.blocks[-1].get("elements", [{}])[0].get("value") == str(decision_id)
    ]


def _five(send, together: bool) -> list[int]:
    """`send()` five times: one after the other, or all at once."""
    if not together:
        return [send().status for _ in range(5)]
    start = threading.Barrier(5)

    def at_once():
        start.wait()
        return send().status

    with ThreadPoolExecutor(5) as pool:
        return list(pool.map(lambda _: at_once(), range(5)))


# --- replays: one card ---------------------------------------------------------------------


@pytest.mark.parametrize("together", [False, True], ids=["back-to-back", "concurrently"])
def test_the_same_slash_command_five_times_posts_one_card(s, together) -> None:
    body = s.driver.slash_body("location=ens nodes=500", trigger_id=f"T0REPLAY{together:d}")
    form, signed_at = urlencode(body), int(time.time())  # the very same signed request
    assert _five(lambda: s.driver.post(form, FORM, timestamp=signed_at), together) == [200] * 5
    settle(s)
    decision = s.log.by_request_key(body["trigger_id"])
    (card,) = _cards(s, "C0GENERAL", decision.id)
    assert decision.message_ts == card.ts and decision.post_state == "posted"
    assert card.metadata == {
        "event_type": CARD_EVENT,
        "event_payload": {"decision_id": decision.id},
    }
    assert len(s.fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("together", [False, True], ids=["back-to-back", "concurrently"])
def test_the_same_modal_submission_five_times_posts_one_card(s, together) -> None:
    s.driver.send_slash("", channel="C0PLATFORM")
    view = s.workspace.views[s.fake.wait_for("views.open").response["view"]["id"]].view
    answers = state_values(view, {"q:nodes": "120", "q:cross-lan": "yes"})
    payload = s.driver.view_submission_payload(view, answers)
    form, signed_at = urlencode({"payload": json.dumps(payload)}), int(time.time())
    assert _five(lambda: s.driver.post(form, FORM, timestamp=signed_at), together) == [200] * 5
    settle(s)
    decision = s.log.by_request_key(f"view:{view['id']}:{view['hash']}")
    (card,) = _cards(s, "C0PLATFORM", decision.id)
    assert decision.message_ts == card.ts
    assert len(s.fake.calls_to("chat.postMessage")) == 1


def test_a_card_the_user_was_told_had_failed_is_never_posted(s) -> None:
    s.fake.fail_next("chat.postMessage", error="not_in_channel", channel="C0GENERAL")
    s.driver.send_slash("need NLB, 21 nodes", trigger_id="T0TOLD")
    told = s.fake.wait_for("response_url")
    assert "/invite @NetPlugin Advisor" in json.dumps(told.params)
    settle(s)
    # The same request again (Slack would take the card now), then a restart: nothing is posted.
    s.driver.send_slash("need NLB, 21 nodes", trigger_id="T0TOLD")
    settle(s)
    advisor = Advisor(kb=default_knowledge(), log=s.log, bot_user_id=s.workspace.bot_user_id)
    finish_acknowledged(advisor, WebClient(token=s.fake.bot_token, base_url=s.fake.api_url))
    decision = s.log.by_request_key("T0TOLD")
    assert _cards(s, "C0GENERAL", decision.id) == []
    assert [c.ok for c in s.fake.calls_to("chat.postMessage")] == [False]
    assert len(s.fake.calls_to("response_url")) == 1  # told once
    assert decision.post_state == "failed"


# --- outcome unknown: look before posting again ---------------------------------------------


def test_a_post_that_times_out_after_slack_posted_it_is_found_not_posted_again(stacks) -> None:
    own = stacks(timeout=1)
    held = own.fake.hold_next("chat.postMessage")  # posted, but no answer within the 1 s timeout
    own.driver.send_slash("location=ens nodes=500", trigger_id="T0TIMEOUT")
    assert held.reached.wait(5)
    look = own.fake.wait_for("conversations.history", timeout=5)
    held.release()
    settle(own)
    assert look.params["channel"] == "C0GENERAL" and look.params["include_all_metadata"] == "1"
    decision = own.log.by_request_key("T0TIMEOUT")
    assert decision.post_state == "posted"
    assert decision.message_ts == held.call.response["ts"]
    assert len(_cards(own, "C0GENERAL", decision.id)) == 1
    assert len(own.fake.calls_to("chat.postMessage")) == 1
    assert own.fake.calls_to("response_url") == []  # nobody was told "something went wrong"


def test_a_server_error_is_looked_up_then_posted_once(s) -> None:
    s.fake.fail_next("chat.postMessage", status=500)
    s.driver.send_slash("need NLB and ECI, 22 nodes", trigger_id="T0FIVEHUNDRED")
    s.fake.wait_for("chat.postMessage", timeout=6)
    settle(s)
    calls = [(c.method, c.status) for c in s.fake.calls if c.method not in AROUND_THE_POST]
    assert calls == [
        ("chat.postMessage", 500),
        ("conversations.history", 200),
        ("chat.postMessage", 200),
    ]
    decision = s.log.by_request_key("T0FIVEHUNDRED")
    assert len(_cards(s, "C0GENERAL", decision.id)) == 1


def test_a_restart_looks_for_the_cards_a_dead_run_was_posting(s, kb) -> None:
    from bot.core.engine import recommend
    from bot.core.grammar import read_question

    parsed = read_question("location=idc nodes=40", kb)
    result = recommend(parsed.plan, kb, parsed.understood).to_json()
    decisions = []
    for key in ("T0DEAD1", "T0DEAD2"):
        decision, _ = s.log.record(
            result=result, source="slash", channel="C0GENERAL", user="U0ALICE", request_key=key
        )
        assert s.log.claim_post(decision.id, "a-run-that-was-killed")
        decisions.append(decision)
    reached, lost = decisions  # the first card reached Slack, the second never did
    client = WebClient(token=s.fake.bot_token, base_url=s.fake.api_url)
    card = client.chat_postMessage(
        channel="C0GENERAL",
        text="the card",
        blocks=[{"type": "actions", "elements": [{"type": "button", "value": str(reached.id)}]}],
        metadata=card_metadata(reached),
    )
    s.fake.reset()

    advisor = Advisor(kb=kb, log=s.log, bot_user_id=s.workspace.bot_user_id)
    finish_acknowledged(advisor, client)
    assert s.log.get(reached.id).message_ts == card["ts"]  # found, not posted again
    assert len(_cards(s, "C0GENERAL", reached.id)) == 1
    (posted,) = _cards(s, "C0GENERAL", lost.id)
    assert s.log.get(lost.id).message_ts == posted.ts
    assert len(s.fake.calls_to("chat.postMessage")) == 1


# --- rate limits and slow calls: other channels keep flowing --------------------------------


def _post_to(s, channel: str, timeout: float):
    return s.fake.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") == channel, timeout=timeout
    )


def test_a_channel_rate_limited_for_20_s_does_not_hold_up_another_channel(own) -> None:
    own.fake.rate_limit("C0GENERAL", retry_after=20)
    for n in range(2):  # as many cards as there are shared workers
        own.driver.send_slash(f"location=ens nodes={500 + n}")
    own.fake.wait_for("chat.postMessage", ok=False, count=2)
    asked = time.monotonic()
    own.driver.send_slash("need NLB", channel="C0PLATFORM")
    other = _post_to(own, "C0PLATFORM", timeout=1)
    assert other.at - asked < 1.0
    # The limited cards wait for their Retry-After on the timer, holding no thread.
    waiting = own.app.executor.lanes.waiting
    assert [lane for lane, _ in waiting] == ["C0GENERAL", "C0GENERAL"]
    assert all(left > 15 for _, left in waiting)


def test_a_rate_limited_card_is_posted_after_its_retry_after(own) -> None:
    own.fake.rate_limit("C0GENERAL", retry_after=2)
    own.driver.send_slash("location=ens nodes=500", trigger_id="T0LIMITED")
    refused = own.fake.wait_for("chat.postMessage", ok=False)
    asked = time.monotonic()
    own.driver.send_slash("need NLB", channel="C0PLATFORM")
    assert _post_to(own, "C0PLATFORM", timeout=1).at - asked < 1.0
    own.fake.lift_rate_limit("C0GENERAL")
    card = _post_to(own, "C0GENERAL", timeout=5)
    assert card.at - refused.at >= 1.95
    settle(own)
    decision = own.log.by_request_key("T0LIMITED")
    assert decision.message_ts == card.response["ts"]
    assert len(_cards(own, "C0GENERAL", decision.id)) == 1


def test_slow_posts_in_two_channels_do_not_hold_up_a_third(own) -> None:
    slow = [own.fake.slow_next("chat.postMessage", 2.0) for _ in range(2)]
    own.driver.send_slash("location=ens nodes=500", channel="C0GENERAL")
    own.driver.send_slash("location=ens nodes=501", channel="C0OPS")
    assert all(arrived.wait(5) for arrived in slow)  # both shared workers' worth, under way
    asked = time.monotonic()
    own.driver.send_slash("need NLB", channel="C0PLATFORM")
    assert _post_to(own, "C0PLATFORM", timeout=1).at - asked < 1.0
    settle(own)  # and the slow ones are posted, once each
    for channel in ("C0GENERAL", "C0OPS"):
        (decision,) = own.log.query(channel=channel)
        assert len(_cards(own, channel, decision.id)) == 1 and decision.post_state == "posted"


def test_thread_replies_under_a_rate_limit_wait_on_the_timer_not_in_a_worker(own) -> None:
    own.driver.send_slash("location=ens nodes=500", channel="C0OPS")
    parent = _post_to(own, "C0OPS", timeout=5).response["ts"]
    settle(own)
    own.fake.rate_limit("C0OPS", retry_after=2)
    for _ in range(2):  # as many replies as there are shared workers
        said = own.workspace.post("C0OPS", text="why", user="U0BOB", thread_ts=parent)
        event = {"type": "message", "channel": "C0OPS", "user": "U0BOB", "text": "why"}
        assert own.driver.send_event({**event, "ts": said.ts, "thread_ts": parent}).status == 200
    own.fake.wait_for("chat.postMessage", ok=False, count=2)
    asked = time.monotonic()
    own.driver.send_slash("need NLB", channel="C0PLATFORM")
    assert _post_to(own, "C0PLATFORM", timeout=1).at - asked < 1.0
    own.fake.lift_rate_limit("C0OPS")
    settle(own)  # both replies, after their Retry-After
    answers = [m for m in own.workspace.channels["C0OPS"].thread(parent) if m.bot_id]
    assert len(answers) == 2


def test_other_calls_wait_out_only_a_brief_429_in_place() -> None:
    """The app's WebClient (Explain, views.open, a DM opened): a long Retry-After is the
    caller's at once, never a worker's sleep."""
    with FakeSlack() as fake:
        client = WebClient(
            token=fake.bot_token, base_url=fake.api_url, retry_handlers=retry_handlers()
        )
        fake.fail_next("conversations.open", status=429, retry_after=0)
        client.conversations_open(users="U0ALICE")
        assert [c.status for c in fake.calls_to("conversations.open")] == [429, 200]
        fake.fail_next("conversations.open", status=429, retry_after=20)
        started = time.monotonic()
        with pytest.raises(SlackApiError) as refused:
            client.conversations_open(users="U0ALICE")
        assert refused.value.response.status_code == 429
        assert time.monotonic() - started < 1.0
