"""Events API: a mention is answered in its thread, once, even when Slack retries."""

from __future__ import annotations

from bot.slack import ids


def test_mention_is_answered_once_across_retries(s) -> None:
    parent = s.workspace.post("C0GENERAL", text="<@U0NETBOT> hi", user="U0ALICE")
    event = {
        "type": ids.APP_MENTION,
        "user": "U0ALICE",
        "text": "<@U0NETBOT> hi",
        "ts": parent.ts,
        "channel": "C0GENERAL",
        "event_ts": parent.ts,
    }
    assert s.driver.send_event(event, event_id="Ev0MENTION1").status == 200
    assert s.driver.send_event(event, event_id="Ev0MENTION1", retry_num=1).status == 200
    post = s.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == parent.ts
    assert "/netplugin" in post.params["text"]
    s.driver.send_event(event, event_id="Ev0MENTION2")  # a new event is answered again
    s.fake.wait_for("chat.postMessage", count=2)
    assert len(s.workspace.channels["C0GENERAL"].thread(parent.ts)) == 2
