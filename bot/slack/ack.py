"""The ack shared by every listener whose answer is empty: Slack gets its 200 at once, and the
work runs in the listener's lazy function on Bolt's executor (see bot/slack/app.py)."""

from __future__ import annotations

from slack_bolt import Ack


def ack_at_once(ack: Ack) -> None:
    ack()
