"""A click on one of the card's buttons: which decision, where; `on_decision` gives every
button's work the decision it names. A signed payload may still be malformed (a container that
is not an object, a button value no decision id can be): it gets a clear answer, not an error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack.cards import notice, tell_user
from bot.slack.deps import Advisor, advisor_of

MAX_ID = 2**63 - 1  # SQLite's largest integer: no decision id is larger
SHOWN_VALUE = 20  # characters of an unknown button value repeated to the user


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def decision_id(value: str) -> int | None:
    """The decision id a button's value names, or None (not an id, or past any id)."""
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


@dataclass
class Click:
    body: dict[str, Any]
    action: dict[str, Any]
    client: WebClient | None = None

    @property
    def channel(self) -> str | None:
        container, channel = _object(self.body.get("container")), _object(self.body.get("channel"))
        return _text(container.get("channel_id")) or _text(channel.get("id"))

    @property
    def message_ts(self) -> str | None:
        container, message = _object(self.body.get("container")), _object(self.body.get("message"))
        return _text(container.get("message_ts")) or _text(message.get("ts"))

    @property
    def ephemeral(self) -> bool:
        return bool(_object(self.body.get("container")).get("is_ephemeral"))

    @property
    def response_url(self) -> str | None:
        return _text(self.body.get("response_url"))

    @property
    def user(self) -> str | None:
        return _text(_object(self.body.get("user")).get("id"))

    def tell(self, message: dict) -> bool:
        """Show `message` to the clicker alone: through the response_url, else in a DM."""
        if self.client is None:
            return False
        return tell_user(
            self.client, user=self.user, response_url=self.response_url, message=message
        )

    def decision(self, advisor: Advisor) -> Decision | None:
        """The decision named by the button's value; None (after telling the user) when it is
        not in the log or not visible from this channel."""
        value = str(self.action.get("value") or "")
        number = decision_id(value)
        found = advisor.log.get(number) if number is not None else None
        if found is None or not found.visible_from(self.channel):
            shown = value if len(value) <= SHOWN_VALUE else value[:SHOWN_VALUE] + "…"
            self.tell(notice(advisor, say("decision-missing", id=shown)))
            return None
        return found


OnDecision = Callable[[Advisor, Click, Decision, WebClient], None]


def on_decision(listener: OnDecision) -> Callable[..., None]:
    """A button's work, given the decision its value names; nothing more happens when the
    decision is gone or not visible from the clicker's channel (they have been told)."""

    def work(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        advisor = advisor_of(context)
        click = Click(body, action, client)
        decision = click.decision(advisor)
        if decision is not None:
            listener(advisor, click, decision, client)

    work.__name__ = work.__qualname__ = listener.__name__
    return work
