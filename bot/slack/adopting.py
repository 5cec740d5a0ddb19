"""Adopting a decision from Slack: who may, the Adopt modal, and what follows an adoption.

Only members of the channel where a decision was made may adopt it, and only there (a private
channel's decision stays in it): the Adopt button, its modal and `/netplugin adopt` all ask
`refusal()`. An adoption is logged first (bot/decisions/adoption.py, one transaction), then
said in the card's thread and shown on the card (chat.update), and on the card of the decision
it supersedes. Adopting again for the same cluster (a replayed submission) says nothing twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.decisions import Decision
from bot.decisions.adoption import Adoption, AdoptRefused, adopt
from bot.render.environment import render_json
from bot.slack import ids
from bot.slack.cards import card_message, error_code
from bot.slack.deps import Advisor
from bot.slack.home import publish_home_later
from bot.slack.membership import in_channel
from bot.slack.names import remember_names
from bot.slack.render import fit_view, mention

log = logging.getLogger(__name__)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def refusal(
    client: WebClient, decision: Decision, *, channel: str | None, user: str | None
) -> AdoptRefused | None:
    """Why `user`, in `channel`, may not adopt `decision`; None when they may."""
    if decision.status != "recommended":
        return AdoptRefused("adopt-not-recommended", id=decision.id, status=decision.status)
    if not decision.channel or channel != decision.channel:
        return AdoptRefused("adopt-elsewhere", id=decision.id)
    if not user or not in_channel(client, decision.channel, user):
        return AdoptRefused("adopt-not-member", id=decision.id)
    return None


def adopt_modal(advisor: Advisor, decision: Decision, *, response_url: str | None) -> dict:
    view = render_json(
        "slack/adopt-modal.json.j2",
        decision=decision,
        plugin_name=advisor.plugin_names.get(decision.plugin or "", ""),
        ids=ids,
    )
    metadata: dict[str, Any] = {"decision": decision.id, "channel": decision.channel}
    if response_url:
        metadata["response_url"] = response_url
    view["private_metadata"] = json.dumps(metadata, separators=(",", ":"))[:3000]
    return fit_view(view)


def adopt_and_announce(
    advisor: Advisor,
    client: WebClient,
    decision: Decision,
    *,
    cluster: str,
    by: str,
    review_by: dt.date | None,
) -> Adoption:
    """Adopt (or raise AdoptRefused), then say it in the card's thread and show it on the cards.
    A replay of an adoption already made announces nothing."""
    adoption = adopt(advisor.log, decision.id, cluster=cluster, by=by, review_by=review_by)
    if not adoption.adopted:
        return adoption
    adopted = adoption.decision
    remember_names(advisor, client, user=by)  # the ADR names who adopted it
    publish_home_later(advisor, client, by)  # their Home tab lists it now
    _refresh_card(advisor, client, adopted)
    if adoption.superseded is not None:
        _refresh_card(advisor, client, adoption.superseded)
    if adopted.channel and adopted.message_ts:
        message = render_json(
            "slack/adopted.json.j2",
            d=adopted,
            by=mention(by) or by,
            plugin_name=advisor.plugin_names.get(adopted.plugin or "", ""),
            superseded=adoption.superseded,
        )
        try:
            client.chat_postMessage(
                channel=adopted.channel,
                thread_ts=adopted.thread_ts or adopted.message_ts,
                **message,
            )
        except (SlackClientError, OSError) as exc:  # logged is adopted: the thread can wait
            log.warning("could not say decision %s is adopted: %s", adopted.id, error_code(exc))
    return adoption


def _refresh_card(advisor: Advisor, client: WebClient, decision: Decision) -> None:
    """The card redrawn with its decision's state (adopted, superseded)."""
    if not (decision.channel and decision.message_ts):
        return
    message = card_message(advisor, decision)
    try:
        client.chat_update(channel=decision.channel, ts=decision.message_ts, **message)
    except (SlackClientError, OSError) as exc:
        log.warning("could not redraw the card of decision %s: %s", decision.id, error_code(exc))
