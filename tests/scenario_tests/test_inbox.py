"""Requests kept before the ack: closed by their decision, or by the answer to invalid input,
and never holding a secret once done."""

from __future__ import annotations

import time


def _row(s, key: str) -> dict:
    rows = list(s.log.db["requests"].rows_where("key = ?", [key]))
    return rows[0] if rows else {}


def _wait_done(s, key: str) -> dict:
    deadline = time.monotonic() + 5
    while not _row(s, key).get("done_at"):
        assert time.monotonic() < deadline, f"request {key} never finished"
        time.sleep(0.01)
    return _row(s, key)


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
    from bot.slack.commands.netplugin import ack_netplugin
    from bot.slack.deps import Advisor

    command = s.driver.slash_body("location=idc", trigger_id="T0KEPT4")
    acked, queued = [], []

    class Held:  # an executor that keeps the work: the request stays as the ack left it
        def submit(self, fn, *args):
            queued.append(fn)

    advisor = Advisor(kb=default_knowledge(), log=s.log, executor=Held())
    ack_netplugin(
        ack=lambda: acked.append(True),
        command=command,
        client=None,
        respond=None,
        context={"advisor": advisor},
        logger=None,
    )
    assert len(queued) == 1
    assert acked == [True]
    row = _row(s, "T0KEPT4")
    assert row["done_at"] is None
    assert "location=idc" in row["payload"]
    assert "response_url" in row["payload"]
    assert "deprecated-verification-token" not in row["payload"]
