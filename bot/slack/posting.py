"""The posting step: exactly one card per decision, and no shared worker held by Slack.

    post_card(advisor, client, decision=d, channel="C…" (None: the user's DM), user="U…",
              response_url=…)

1. **Claim.** The decision's posting goes pending → posting in the log, in one UPDATE that one
   caller wins (bot/decisions/store.py): a replayed slash command, a proxy's retry or a
   duplicated submission finds it claimed and posts nothing.
2. **Post**, on the channel's lane (bot/slack/ackfirst.py), not on the shared lazy workers:
   chat.postMessage with the card and its message metadata (`event_type` netplugin_card,
   `event_payload` {"decision_id": N}); in the decision's thread when it has one (the card
   answering an @mention goes in the mention's thread). Never retried blindly: slack_sdk's
   retry handlers are left out of these calls (a retried post whose first try reached Slack is
   a second card).
3. **Record**: posted with the ts (then the permalink), or failed, before the user is told.
   Once posted, the names of who asked and of the channel are resolved and kept in the log, on
   a lane of their own (bot/slack/names.py): a slow or failed lookup holds up no card.

What Slack answers:

- ok: posted.
- 429: nothing was posted; the post goes back on its lane after Retry-After, on a timer that
  holds no thread, while other channels' cards keep flowing.
- not_in_channel / channel_not_found: failed; the card goes to the user alone with the invite
  hint. Any other error that says nothing was posted (invalid_blocks, …): failed, and a clear
  message to the user.
- 5xx, fatal_error, a timeout or a broken connection: the outcome is unknown. After a pause the
  bot looks for the card in the channel (conversations.history with include_all_metadata; for a
  card in a thread, conversations.replies):
  found, it is recorded as posted; not found, it is posted again, at most MAX_POSTS times in
  all, then the user is told. When the channel cannot be read, the user is told that the card
  is unconfirmed, and it is not posted again.

A restart (bot/slack/recovery.py) posts the pending cards, and looks first for those a dead run
was posting (`resume_card`): a kill between the post and its record leaves one card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack.calls import on_lane as _on_lane
from bot.slack.calls import quiet_client
from bot.slack.cards import NOT_A_MEMBER, card_message, error_code, notice, open_dm, tell_user
from bot.slack.deps import Advisor
from bot.slack.names import remember_names

log = logging.getLogger(__name__)

CARD_EVENT = "netplugin_card"  # the card's message metadata: event_payload {"decision_id": N}
MAX_POSTS = 3  # posts tried whose answer was an error or none (the first try and two more)
MAX_LOOKS = 3  # lookups of the channel that could not tell, before the user is told
MAX_WAITS = 10  # 429s waited for, before the user is told
PAUSE = 0.5  # seconds before looking for a card whose post's outcome is unknown; doubles
LOOKBACK = 60.0  # the lookup reads from this long before the decision (clocks differ)
HISTORY_PAGES = 5  # of 200 messages
# Errors after which the message may have been posted anyway (Slack: "it's possible some aspect
# of the operation succeeded before the error was raised").
UNKNOWN_ERRORS = {"fatal_error", "internal_error", "request_timeout", "service_unavailable"}

Step = Callable[[Advisor, WebClient, "Card"], None]


@dataclass
class Card:
    """One decision's card on its way to Slack, carried from one try to the next."""

    decision: Decision
    channel: str | None  # None: the user's DM, opened on the lane
    user: str | None
    response_url: str | None
    message: dict[str, Any]  # text, blocks and metadata
    posts: int = 0
    looks: int = 0
    waits: int = 0
    error: str | None = None  # the last error code

    @property
    def lane(self) -> str:
        return self.channel or f"dm:{self.user}"

    @property
    def thread_ts(self) -> str | None:
        return self.decision.thread_ts if self.channel else None


def card_metadata(decision: Decision) -> dict[str, Any]:
    return {"event_type": CARD_EVENT, "event_payload": {"decision_id": decision.id}}


def is_card_of(message: dict[str, Any], decision_id: int, bot_user_id: str | None) -> bool:
    """Whether a message (as conversations.history gives it) is this decision's card."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != CARD_EVENT or str(payload.get("decision_id")) != str(
        decision_id
    ):
        return False
    return bot_user_id is None or message.get("user") in (None, bot_user_id)


def post_card(
    advisor: Advisor,
    client: WebClient,
    *,
    decision: Decision,
    channel: str | None,
    user: str | None,
    response_url: str | None = None,
) -> bool:
    """Claim the posting of `decision`'s card and post it into `channel` (None: the user's DM)
    on the channel's lane. False when it is not ours to post: posted, being posted (by this
    request's twin, or by a retry waiting on the timer), or failed and told."""
    if channel is None and not user:
        raise ValueError("a card for a DM needs the user")
    if not advisor.log.claim_post(decision.id, advisor.run_id):
        log.info("the card of decision %s is posted, being posted or failed", decision.id)
        return False
    card = _card(advisor, decision, channel, user, response_url)
    return _later(advisor, client, card, _post)


def resume_card(advisor: Advisor, client: WebClient, decision: Decision) -> bool:
    """After a restart: post a pending card; for one a dead run was posting, look for it in the
    channel first. False when it is not ours (another caller took it first)."""
    card = _card(advisor, decision, decision.channel, decision.user, None)
    if decision.post_state == "posting":
        if not advisor.log.take_over_post(decision.id, advisor.run_id):
            return False
        return _later(advisor, client, card, _look)
    if not advisor.log.claim_post(decision.id, advisor.run_id):
        return False
    return _later(advisor, client, card, _post)


def _card(
    advisor: Advisor,
    decision: Decision,
    channel: str | None,
    user: str | None,
    response_url: str | None,
) -> Card:
    message = {**card_message(advisor, decision), "metadata": card_metadata(decision)}
    return Card(decision, channel, user, response_url, message)


# --- running the steps on the card's lane --------------------------------------------------


def _later(advisor: Advisor, client: WebClient, card: Card, step: Step, delay: float = 0.0) -> bool:
    """Run `step` on the card's lane after `delay` seconds (without an executor, as in a test's
    app or a script: here, now)."""

    def job() -> None:
        _run(advisor, client, card, step)

    if _on_lane(advisor, card.lane, job, delay):
        return True
    # Shutting down: the decision stays "posting"; the next start looks for it, then posts.
    log.info("the card of decision %s is left for the next start", card.decision.id)
    return False


def _run(advisor: Advisor, client: WebClient, card: Card, step: Step) -> None:
    try:
        step(advisor, client, card)
    except Exception:  # a bug: never leave the card claimed forever, nor the user waiting
        log.exception("posting the card of decision %s failed", card.decision.id)
        _fail(advisor, client, card, "internal_error", notice(advisor, say("internal-error")))


def retry_after(exc: SlackApiError) -> float:
    """Seconds Slack asks to wait (Retry-After), 1 when it does not say."""
    for name, value in (exc.response.headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except ValueError:
                break
    return 1.0


def _unknown_answer(exc: Exception) -> bool:
    """No answer, or one after which the message may be there anyway."""
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500 or error_code(exc) in UNKNOWN_ERRORS
    return isinstance(exc, OSError)  # a timeout, a refused or broken connection


def _rate_limited(exc: Exception) -> bool:
    return isinstance(exc, SlackApiError) and (
        exc.response.status_code == 429 or error_code(exc) == "ratelimited"
    )


# --- the steps -----------------------------------------------------------------------------


def _post(advisor: Advisor, client: WebClient, card: Card) -> None:
    quiet = quiet_client(client)
    try:
        channel = card.channel or open_dm(quiet, card.user or "")
        in_thread = {"thread_ts": card.thread_ts} if card.thread_ts else {}
        response = quiet.chat_postMessage(channel=channel, **card.message, **in_thread)
    except (SlackClientError, OSError) as exc:
        if not _rate_limited(exc):  # a 429 posted nothing: it is no try
            card.posts += 1
        _post_not_done(advisor, client, card, exc)
        return
    _posted(advisor, quiet, card, response["channel"], response["ts"])


def _post_not_done(advisor: Advisor, client: WebClient, card: Card, exc: Exception) -> None:
    code = card.error = error_code(exc)
    log.warning("chat.postMessage of decision %s failed: %s", card.decision.id, code)
    if _rate_limited(exc):
        _wait(advisor, client, card, exc, _post)
    elif _unknown_answer(exc):
        _later(advisor, client, card, _look, PAUSE * 2 ** max(0, card.posts - 1))
    elif code in NOT_A_MEMBER:
        card_alone = {k: v for k, v in card.message.items() if k != "metadata"}
        _fail(advisor, client, card, code, notice(advisor, say("invite-hint"), then=card_alone))
    else:
        _fail(advisor, client, card, code, notice(advisor, say("post-failed", error=code)))


def _look(advisor: Advisor, client: WebClient, card: Card) -> None:
    """Is the card in the channel? Found: posted. Not found: post it (again), if tries are left."""
    quiet = quiet_client(client)
    try:
        channel = card.channel or open_dm(quiet, card.user or "")
        ts = find_card(quiet, channel, card.decision, advisor.bot_user_id)
    except (SlackClientError, OSError) as exc:
        _look_failed(advisor, client, card, exc)
        return
    if ts is not None:
        log.info("the card of decision %s was posted: %s", card.decision.id, ts)
        _posted(advisor, quiet, card, channel, ts)
    elif card.posts < MAX_POSTS:
        _post(advisor, client, card)
    else:
        error = card.error or "unknown"
        _fail(advisor, client, card, error, notice(advisor, say("post-failed", error=error)))


def _look_failed(advisor: Advisor, client: WebClient, card: Card, exc: Exception) -> None:
    code = error_code(exc)
    log.warning("looking for the card of decision %s failed: %s", card.decision.id, code)
    if _rate_limited(exc):
        _wait(advisor, client, card, exc, _look)
        return
    card.looks += 1
    if _unknown_answer(exc) and card.looks < MAX_LOOKS:
        _later(advisor, client, card, _look, PAUSE * 2 ** (card.looks - 1))
        return
    error = card.error or code
    _fail(advisor, client, card, error, notice(advisor, say("post-unconfirmed", error=error)))


def _wait(advisor: Advisor, client: WebClient, card: Card, exc: SlackApiError, step: Step) -> None:
    """Rate-limited: `step` again after Retry-After, on the timer."""
    card.waits += 1
    if card.waits > MAX_WAITS:
        error = error_code(exc)
        _fail(advisor, client, card, error, notice(advisor, say("post-failed", error=error)))
        return
    _later(advisor, client, card, step, retry_after(exc))


def find_card(
    client: WebClient, channel: str, decision: Decision, bot_user_id: str | None
) -> str | None:
    """The ts of `decision`'s card in `channel` (in its thread, when it has one), from the
    messages since shortly before it was decided (by their metadata); None when it is not there."""
    oldest = datetime.fromisoformat(decision.created_at).timestamp() - LOOKBACK
    cursor = None
    read = client.conversations_history
    where: dict[str, Any] = {}
    if decision.thread_ts:
        read, where = client.conversations_replies, {"ts": decision.thread_ts}
    for _ in range(HISTORY_PAGES):
        page = read(
            channel=channel,
            oldest=f"{oldest:.6f}",
            include_all_metadata=True,
            limit=200,
            cursor=cursor,
            **where,
        )
        for message in page.get("messages") or []:
            if is_card_of(message, decision.id, bot_user_id):
                return message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def _posted(advisor: Advisor, client: WebClient, card: Card, channel: str, ts: str) -> None:
    """Record the card's message at once (a thread's replies find it), then its permalink; the
    names of who asked and where are resolved meanwhile, on their own lane."""
    advisor.log.attach_message(card.decision.id, channel=channel, ts=ts)
    remember_names(advisor, client, user=card.decision.user, channel=channel)
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except (SlackClientError, OSError) as exc:  # the card is there; the link is a nicety
        log.info("chat.getPermalink failed: %s", error_code(exc))
        return
    advisor.log.attach_permalink(card.decision.id, permalink)


def _fail(advisor: Advisor, client: WebClient, card: Card, error: str, message: dict) -> None:
    """Failed, in the log first (never posted again), then the user is told."""
    advisor.log.post_failed(card.decision.id, error)
    tell_user(client, user=card.user, response_url=card.response_url, message=message)


# --- replies in a card's thread ------------------------------------------------------------


def post_reply(
    advisor: Advisor,
    client: WebClient,
    *,
    channel: str,
    thread_ts: str,
    message: dict[str, Any],
    then: Callable[[], None] | None = None,
) -> None:
    """Post a reply in a card's thread on the channel's lane, off the shared workers: a 429
    waits for its Retry-After on the timer (MAX_WAITS times at most); 5xx and connection errors
    keep the client's retries; any other failure is logged (there is nobody else to tell).
    `then` runs once it is over (the kept request is closed); a reply left waiting at shutdown
    is answered again by the next start."""
    waits = 0
    replying = quiet_client(client, leave_out=(RateLimitErrorRetryHandler,))

    def attempt() -> None:
        nonlocal waits
        try:
            replying.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        except (SlackClientError, OSError) as exc:
            if _rate_limited(exc) and waits < MAX_WAITS:
                waits += 1
                if _on_lane(advisor, channel, attempt, retry_after(exc)):
                    return
            log.warning("thread reply in %s failed: %s", channel, error_code(exc))
        if then is not None:
            then()

    _on_lane(advisor, channel, attempt)
