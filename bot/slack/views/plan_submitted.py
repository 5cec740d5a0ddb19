"""The questionnaire submitted: check the answers in the ack (errors by block_id keep the modal
open) and keep the submission in the log before acking, so that an acknowledged submission
survives the process being killed; then, lazily, recommend, log (source="modal") and post the
card where the modal came from (a channel, or the user's DM for the shortcut)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.plan import PlanBase
from bot.decisions import Asked, Decision, decide
from bot.decisions.database import LogUnavailable
from bot.render.messages import say
from bot.slack import ids
from bot.slack.deps import advisor_of
from bot.slack.modal import metadata_of, read_submission
from bot.slack.payload import team_id, user_id
from bot.slack.posting import post_card

log = logging.getLogger(__name__)


def check_answers(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> bool:
    """The ack: errors by block_id keep the modal open. A submission Slack sent without its
    answers, or one the decision log cannot keep in time, is answered the same way (on the
    first question, the modal stays open with what was typed), and nothing follows (False)."""
    advisor = advisor_of(context)
    first = ids.question_block_id(advisor.kb.questions[0].key)
    try:
        _, errors = read_submission(advisor.kb, _state_values(view))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("a view_submission without readable answers: %s", type(exc).__name__)
        ack(response_action="errors", errors={first: say("request-incomplete", part="answers")})
        return False
    if errors:
        ack(response_action="errors", errors=errors)
        return True
    try:
        advisor.log.inbox.accept(_request_key(view), "modal", kept_submission(body, view))
    except LogUnavailable as exc:
        log.warning("the decision log is unavailable, a submission was refused: %s", exc)
        ack(response_action="errors", errors={first: say("log-unavailable")})
        return False
    ack()
    return True


def _state_values(view: dict[str, Any]) -> dict[str, Any]:
    """view.state.values; a payload without them raises (KeyError, TypeError)."""
    values = view["state"]["values"]
    if not isinstance(values, dict):
        raise TypeError("view.state.values is not an object")
    return values


def kept_submission(body: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """What a restart needs to finish the submission: who, which team, the view's answers."""
    return {
        "body": {"user": {"id": user_id(body)}, "team": {"id": team_id(body)}},
        "view": {k: view.get(k) for k in ("id", "hash", "state", "private_metadata")},
    }


def _request_key(view: dict[str, Any]) -> str:
    return f"view:{view.get('id')}:{view.get('hash')}"


def record_plan(
    advisor: Any, body: dict[str, Any], view: dict[str, Any], plan: PlanBase
) -> Decision:
    """Decide once per submitted view (its id and hash are the request key)."""
    meta = metadata_of(view)
    dm = bool(meta.get("dm")) or not meta.get("channel")
    parent = meta.get("parent")
    asked = Asked(
        source="modal",
        team=team_id(body),
        channel=None if dm else meta.get("channel"),
        visibility="dm" if dm else meta.get("visibility", "unknown"),
        user=user_id(body),
        parent_id=int(parent) if isinstance(parent, int | str) and str(parent).isdigit() else None,
        request_key=_request_key(view),
    )
    decision, _ = decide(advisor.log, advisor.kb, plan, asked)
    return decision


def answer_plan(
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    post_plan(advisor_of(context), client, body, view)


def post_plan(advisor: Any, client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    plan, _ = read_submission(advisor.kb, _state_values(view))
    if plan is None:  # the ack showed the errors; nothing to post
        advisor.log.inbox.finish(_request_key(view))
        return
    decision = record_plan(advisor, body, view, plan)
    if decision.message_ts:
        return
    meta = metadata_of(view)
    dm = bool(meta.get("dm")) or not meta.get("channel")
    post_card(
        advisor,
        client,
        decision=decision,
        channel=None if dm else meta.get("channel"),
        user=user_id(body),
        response_url=meta.get("response_url"),
    )
