"""The questionnaire submitted: check the answers in the ack (errors by block_id keep the modal
open), then, lazily, recommend, log (source="modal") and post the card where the modal came from
(a channel, or the user's DM for the shortcut)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.engine import recommend
from bot.slack.cards import post_card
from bot.slack.deps import advisor_of
from bot.slack.modal import metadata_of, read_submission
from bot.slack.payload import team_id, user_id


def check_answers(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    _, errors = read_submission(advisor_of(context).kb, view["state"]["values"])
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def answer_plan(
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    advisor = advisor_of(context)
    plan, _ = read_submission(advisor.kb, view["state"]["values"])
    if plan is None:  # the ack showed the errors; nothing to post
        return
    meta = metadata_of(view)
    dm = bool(meta.get("dm")) or not meta.get("channel")
    user = user_id(body)
    result = recommend(plan, advisor.kb).to_json()
    parent = meta.get("parent")
    decision, created = advisor.log.record(
        result=result,
        source="modal",
        team=team_id(body),
        channel=None if dm else meta.get("channel"),
        visibility="dm" if dm else meta.get("visibility", "unknown"),
        user=user,
        parent_id=int(parent) if isinstance(parent, int | str) and str(parent).isdigit() else None,
        request_key=f"view:{view.get('id')}:{view.get('hash')}",
    )
    if not created and decision.message_ts:
        return
    post_card(
        advisor,
        client,
        decision=decision,
        channel=None if dm else meta.get("channel"),
        user=user,
        response_url=meta.get("response_url"),
    )
