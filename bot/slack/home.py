"""The bot's Home tab: the team's adopted decisions by cluster, and the viewer's own proposals.

    publish_home(advisor, client, "U0ALICE")   # collect, render, views.publish: True when done

Scoped as `/netplugin history` is: a public channel's decision is listed for everyone; a
private channel's (or one whose channel type is unknown: an @mention's) only for the members of
that channel, asked once per channel per publish with conversations.members, an error counting
as "not a member"; a DM's only for its user; one made outside Slack (the CLI) for nobody, as it
has no channel to be a member of. Nothing says that a decision was left out.

Layout and words are templates/slack/home.json.j2. A Home view holds 100 blocks: when the
clusters do not fit, the last ones are left out and the view says how many.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.decisions import Decision, DecisionLog
from bot.decisions.adoption import adopted_decisions, proposals_of
from bot.decisions.names import names_of
from bot.render.environment import render_json
from bot.render.messages import say
from bot.slack import ids
from bot.slack.cards import error_code
from bot.slack.deps import Advisor
from bot.slack.membership import IsMember, members_of
from bot.slack.render import MAX_VIEW_BLOCKS, clip, fit_view, mention

log = logging.getLogger(__name__)

PROPOSALS = 5  # the viewer's most recent proposals shown
PROPOSALS_READ = 50  # read from the log to find them (what-ifs, other outcomes, other channels)


@dataclass
class Home:
    """What one viewer's Home tab lists."""

    user: str
    adopted: list[Decision]  # each cluster's adopted decision, by cluster name
    proposals: list[Decision]  # the viewer's recommendations not adopted yet, newest first
    channel_names: dict[str, str] = field(default_factory=dict)  # the names kept in the log


def may_see(decision: Decision, user: str, is_member: IsMember) -> bool:
    """Whether `user` may see `decision` outside the channel it was made in."""
    if decision.visibility == "public":
        return True
    if not decision.channel:  # made outside Slack: no channel to be a member of
        return False
    if decision.visibility == "dm":
        return decision.user == user
    return is_member(decision.channel)  # private, unknown (an @mention's), or not recorded


def home_of(decisions: DecisionLog, user: str, is_member: IsMember) -> Home:
    """The lists `user` sees: the adopted decisions they may see, and their own recent
    recommendations still proposed (only a recommendation can be adopted)."""
    adopted = [d for d in adopted_decisions(decisions) if may_see(d, user, is_member)]
    proposals = [
        d
        for d in proposals_of(decisions, user, limit=PROPOSALS_READ)
        if d.status == "recommended" and may_see(d, user, is_member)
    ][:PROPOSALS]
    # A channel link carries its name as the label (Slack shows the channel's current name; the
    # label is what a client shows when it cannot), when bot/slack/names.py has kept it.
    channels = names_of(decisions, (d.channel for d in [*adopted, *proposals]))
    return Home(user=user, adopted=adopted, proposals=proposals, channel_names=channels)


def home_view(home: Home, plugin_names: dict[str, str]) -> dict[str, Any]:
    """The Home view (templates/slack/home.json.j2) within Block Kit's limits: the clusters that
    fit in 100 blocks, and how many were left out."""
    shown = len(home.adopted)
    while True:
        view = render_json(
            "slack/home.json.j2",
            adopted=home.adopted[:shown],
            left_out=len(home.adopted) - shown,
            proposals=home.proposals,
            plugin_names=plugin_names,
            channel_names=home.channel_names,
            mention=mention,
            clip=clip,
            say=say,
            ids=ids,
        )
        over = len(view.get("blocks", [])) - MAX_VIEW_BLOCKS
        if over <= 0 or shown == 0:
            return fit_view(view)
        shown = max(0, shown - over - (0 if shown < len(home.adopted) else 1))


def publish_home(advisor: Advisor, client: WebClient, user: str) -> bool:
    """Collect `user`'s Home, render it and publish it (views.publish). False when Slack
    refused or could not be reached: logged with Slack's error code, nobody else is told."""
    home = home_of(advisor.log, user, members_of(client, user))
    view = home_view(home, advisor.plugin_names)
    try:
        client.views_publish(user_id=user, view=view)
    except (SlackClientError, OSError) as exc:
        log.warning("views.publish for %s failed: %s", user, error_code(exc))
        return False
    return True


def publish_home_later(
    advisor: Advisor, client: WebClient, user: str, *, failed: Callable[[], None] | None = None
) -> None:
    """`publish_home` on the lane `home:<user>` (without an executor, as in a test's app: here,
    now); `failed()` is called when it did not publish."""

    def job() -> None:
        if not publish_home(advisor, client, user) and failed is not None:
            failed()

    lane = getattr(advisor.executor, "lane", None)
    if lane is None:
        job()
    elif not lane(f"home:{user}", job):
        log.info("shutting down: the Home of %s is not published", user)
