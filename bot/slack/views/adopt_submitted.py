"""The Adopt modal submitted: the cluster's name and the review-by date are checked in the ack
(errors under their inputs keep the modal open), then, after the ack, the decision is adopted if
the person may (a member of the channel it was made in) and the thread and the card say so."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.adopting import AdoptProblem, cluster_name, review_date
from bot.decisions.adoption import AdoptRefused
from bot.render.messages import say
from bot.slack import ids
from bot.slack.adopting import adopt_and_announce, refusal, today
from bot.slack.cards import notice, tell_user
from bot.slack.deps import advisor_of
from bot.slack.modal import metadata_of
from bot.slack.payload import user_id


def _value(view: dict[str, Any], block: str, key: str) -> str:
    try:
        element = view["state"]["values"][block][ids.ADOPT_INPUT]
    except (KeyError, TypeError):
        return ""
    value = element.get(key) if isinstance(element, dict) else None
    return value if isinstance(value, str) else ""


def _read(view: dict[str, Any]) -> tuple[Any, Any]:
    cluster = cluster_name(_value(view, ids.ADOPT_CLUSTER_BLOCK, "value"))
    review = review_date(_value(view, ids.ADOPT_REVIEW_BLOCK, "selected_date"), today())
    return cluster, review


def check_adoption(ack: Ack, view: dict[str, Any]) -> bool:
    cluster, review = _read(view)
    errors = {}
    if isinstance(cluster, AdoptProblem):
        errors[ids.ADOPT_CLUSTER_BLOCK] = say("adopt-modal-bad-cluster")
    if isinstance(review, AdoptProblem):
        errors[ids.ADOPT_REVIEW_BLOCK] = say("adopt-modal-bad-review-by")
    if errors:
        ack(response_action="errors", errors=errors)
        return False
    ack()
    return True


def adopt_submitted(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    advisor = advisor_of(context)
    meta = metadata_of(view)
    user = user_id(body)

    def tell(code: str, **params: Any) -> None:
        tell_user(
            client,
            user=user,
            response_url=meta.get("response_url"),
            message=notice(advisor, say(code, **params)),
        )

    number = meta.get("decision")
    decision = advisor.log.get(number) if isinstance(number, int) else None
    if decision is None:
        tell("decision-missing", id=str(number)[:20])
        return
    refused = refusal(client, decision, channel=meta.get("channel"), user=user)
    if refused is not None:
        tell(refused.code, **refused.params)
        return
    cluster, review = _read(view)
    try:
        adoption = adopt_and_announce(
            advisor, client, decision, cluster=cluster, by=user or "", review_by=review
        )
    except AdoptRefused as exc:
        tell(exc.code, **exc.params)
        return
    if not adoption.adopted:
        tell("adopt-already", id=decision.id, cluster=adoption.decision.cluster)
