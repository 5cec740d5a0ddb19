"""Requests kept before the ack: closed by their decision, or by the answer to invalid input,
and never holding a secret once done."""

from __future__ import annotations

from waiting import settle


def _row(s, key: str) -> dict:
    rows = list(s.log.db["requests"].rows_where("key = ?", [key]))
    return rows[0] if rows else {}


def _wait_done(s, key: str) -> dict:
    settle(s)
    row = _row(s, key)
    assert row.get("done_at"), f"request {key} never finished"
    return row


def test_a_question_is_kept_then_closed_by_its_decision(s) -> None:
    s.driver.send_slash("location=ens nodes=500", trigger_id="T0KEPT1")
    row = _wait_done(s, "T0KEPT1")
    assert row["kind"] == "slash"
    assert row["payload"] is None  # dropped once done: no response_url left lying around
    assert s.log.by_request_key("T0KEPT1").plugin == "terway-edge"


def test_invalid_input_closes_the_request_without_a_decision(s) -> None:
    s.driver.send_slash("nodes=abc", trigger_id="T0KEPT2")
    _wait_done(s, "T0KEPT2")
    assert s.log.by_request_key("T0KEPT2") is None


def test_subcommands_are_not_kept(s) -> None:
    s.driver.send_slash("help", trigger_id="T0KEPT3")
    s.fake.wait_for("response_url")
    assert _row(s, "T0KEPT3") == {}


def test_the_verification_token_is_never_kept(s) -> None:
    """The ack keeps the request (checked here before any listener could close it)."""
    from bot.core.knowledge import default_knowledge
    from bot.slack.commands.netplugin import keep_question
    from bot.slack.deps import Advisor

    command = s.driver.slash_body("location=idc", trigger_id="T0KEPT4")
    acked = []
    advisor = Advisor(kb=default_knowledge(), log=s.log)
    keep_question(ack=lambda: acked.append(True), command=command, context={"advisor": advisor})
    assert acked == [True]
    row = _row(s, "T0KEPT4")
    assert row["done_at"] is None
    assert "location=idc" in row["payload"]
    assert "response_url" in row["payload"]
    assert "deprecated-verification-token" not in row["payload"]


def test_recovery_answers_a_kept_thread_message(s) -> None:
    """A what-if acknowledged by a process that died before answering: a restart answers it."""
    from slack_sdk import WebClient

    from bot.core.knowledge import default_knowledge
    from bot.slack.deps import Advisor
    from bot.slack.recovery import finish_acknowledged
    from bot.slack.threads import keep, request_key

    s.driver.send_slash("location=ens nodes=500", trigger_id="T0KEPT5")
    _wait_done(s, "T0KEPT5")
    card = s.fake.wait_for("chat.postMessage")
    parent_ts = card.response["ts"]
    parent = s.log.by_message("C0GENERAL", parent_ts)  # settled by _wait_done
    assert parent is not None
    reply = s.workspace.post(
        "C0GENERAL", text="what if nodes=20", user="U0BOB", thread_ts=parent_ts
    )
    event = {
        "type": "message",
        "channel": "C0GENERAL",
        "user": "U0BOB",
        "text": reply.text,
        "ts": reply.ts,
        "thread_ts": parent_ts,
    }
    advisor = Advisor(kb=default_knowledge(), log=s.log, bot_user_id=s.workspace.bot_user_id)
    keep(advisor, event)  # what the ack did; then the process died
    assert _row(s, request_key(event))["done_at"] is None
    s.fake.reset()
    client = WebClient(token=s.fake.bot_token, base_url=s.fake.api_url)
    assert finish_acknowledged(advisor, client) >= 1
    # (Other requests this module's tests left unfinished are finished too, as they should be.)
    answer = s.fake.wait_for(
        "chat.postMessage", where=lambda call: call.params.get("thread_ts") == parent_ts
    )
    assert "The answer" in answer.params["text"] or "What if" in answer.params["text"]
    (child,) = s.log.children(parent.id)
    assert child.plan["nodes"] == 20
    assert _row(s, request_key(event))["done_at"] is not None


def test_messages_outside_card_threads_are_not_kept(s) -> None:
    from bot.core.knowledge import default_knowledge
    from bot.slack.deps import Advisor
    from bot.slack.threads import keep, request_key

    advisor = Advisor(kb=default_knowledge(), log=s.log, bot_user_id=s.workspace.bot_user_id)
    chatter = {"type": "message", "channel": "C0GENERAL", "user": "U0BOB", "text": "lunch?"}
    for event in ({**chatter, "ts": "9.1"}, {**chatter, "ts": "9.2", "thread_ts": "9.0"}):
        keep(advisor, event)
        assert _row(s, request_key(event)) == {}  # people's messages are not stored


def test_a_failure_after_the_ack_is_told_to_the_user(s, monkeypatch) -> None:
    import bot.decisions.deciding as deciding

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(deciding, "recommend", broken)
    s.driver.send_slash("location=ens", trigger_id="T0BROKEN")
    call = s.fake.wait_for("response_url")
    assert "went wrong on my side" in call.params["text"]
    assert "engine exploded" not in str(call.params)  # no stack trace for the user
    assert _row(s, "T0BROKEN")["done_at"] is None  # kept: a restart answers it
