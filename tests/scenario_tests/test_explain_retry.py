"""A failed Explain releases its claim (issue 11, defect 8): the click after a post Slack
refused posts the explanation, instead of "already in this card's thread" over an empty one."""

from __future__ import annotations

from slackstack import post_card

from bot.slack import ids


def test_a_failed_explain_can_be_clicked_again(s) -> None:
    card = post_card(s)
    s.fake.fail_next("chat.postMessage", error="msg_too_long")
    assert s.driver.click(card, ids.EXPLAIN).status == 200
    told = s.fake.wait_for("response_url")
    assert "did not accept" in told.params["text"] and "msg_too_long" in told.params["text"]
    assert s.workspace.channels["C0GENERAL"].thread(card.ts) == []

    s.fake.reset()
    assert s.driver.click(card, ids.EXPLAIN).status == 200
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == card.ts
    assert len(s.workspace.channels["C0GENERAL"].thread(card.ts)) == 1
    assert not s.fake.calls_to("response_url")  # no "already in this card's thread"

    s.driver.click(card, ids.EXPLAIN)  # and once it is there, once is enough
    assert "already" in s.fake.wait_for("response_url").params["text"]
    assert len(s.workspace.channels["C0GENERAL"].thread(card.ts)) == 1


def test_an_explain_that_raises_releases_its_claim_too(s, monkeypatch) -> None:
    """A post whose outcome is unknown (the WebClient raised something else than a Slack
    error, e.g. a timeout): better a second explanation than none."""
    from slack_sdk import WebClient

    card = post_card(s)
    real = WebClient.chat_postMessage
    calls = []

    def times_out_once(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise TimeoutError("The read operation timed out")
        return real(self, **kwargs)

    monkeypatch.setattr(WebClient, "chat_postMessage", times_out_once)
    s.driver.click(card, ids.EXPLAIN)
    s.fake.wait_for("response_url")  # the user is told (bot/slack/ack.py)
    s.driver.click(card, ids.EXPLAIN)
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == card.ts
