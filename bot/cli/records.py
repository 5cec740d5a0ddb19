"""The decision record: what `netplugin decisions export --format adr` writes for a decision,
MADR with YAML front matter, and what `netplugin decisions show ID --json` prints, the same
fields (plus the result).

    record_fields(decision, names, plugin_names)  → {"decision": 12, "status": "accepted", …}
    adr_file_name(decision)                       → "0012-edge-prod-terway-edge.md"

People and channels are named from the log's names (bot/decisions/names.py, resolved from Slack
when a card is posted or a decision adopted), with their ids beside them; an id with no name
kept stands for itself. The status is the lifecycle's: adopted is `accepted`, superseded is
`superseded`, anything else `proposed` (the body says when a recommendation was only leaning).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from bot.decisions import Decision, DecisionLog
from bot.decisions.names import names_of
from bot.render.environment import render_text
from bot.render.messages import say

STATUS = {"adopted": "accepted", "superseded": "superseded"}  # else: proposed
EVER_ADOPTED = ("adopted", "superseded")  # what the ADR export writes by default
# A Slack user id (U…, or W… on Enterprise Grid); anything else in `adopted_by` is an operator's
# name given to the CLI, with no id.
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
SLUG_LENGTH = 63  # the longest cluster name ACK takes


def slug(text: str) -> str:
    """`text` as a file name's part: lower case, letters and digits (of any script) kept, every
    other run of characters one hyphen, at most SLUG_LENGTH characters. May be empty."""
    words = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", text).lower())
    return words.strip("-")[:SLUG_LENGTH].strip("-")


def adr_file_name(d: Decision) -> str:
    """Its number (4 digits), the cluster's slug when it was adopted for one, and the plugin
    (or the outcome, when it chose none): stable from its adoption on."""
    parts = [f"{d.id:04d}"]
    if d.cluster and slug(d.cluster):
        parts.append(slug(d.cluster))
    parts.append(d.plugin or d.status.replace("_", "-"))
    return "-".join(parts) + ".md"


def _person(id: str | None, names: Mapping[str, str]) -> dict[str, str | None] | None:
    if not id:
        return None
    if SLACK_USER.fullmatch(id):
        return {"name": names.get(id, id), "id": id}
    return {"name": id, "id": None}  # an operator's name, given on the command line


def _channel(d: Decision, names: Mapping[str, str]) -> dict[str, str | None] | None:
    if not d.channel:
        return None
    return {"name": names.get(d.channel, d.channel), "id": d.channel}


def ids_named(decisions: Iterable[Decision]) -> set[str]:
    """The user and channel ids a record of these decisions names."""
    return {i for d in decisions for i in (d.user, d.adopted_by, d.channel) if i}


def record_fields(
    d: Decision, names: Mapping[str, str], plugin_names: Mapping[str, str]
) -> dict[str, Any]:
    """The front matter of `d`'s record, in order; every key always there (None: nothing)."""
    asked_by, adopted_by = _person(d.user, names), _person(d.adopted_by, names)
    deciders: list[dict[str, str | None]] = []
    for who in (adopted_by, asked_by):
        if who is not None and who not in deciders:
            deciders.append(who)
    adopted = d.state in EVER_ADOPTED
    derived = d.parent_id if d.source != "modal" else None
    return {
        "decision": d.id,
        "status": STATUS.get(d.state, "proposed"),
        "date": (d.adopted_at if adopted and d.adopted_at else d.created_at)[:10],
        "cluster": d.cluster,
        "plugin": {"name": plugin_names.get(d.plugin, d.plugin), "id": d.plugin}
        if d.plugin
        else None,
        "outcome": d.status,
        "confidence": d.confidence,
        "deciders": deciders,
        "asked-by": asked_by,
        "adopted-by": adopted_by,
        "channel": _channel(d, names),
        "visibility": d.visibility,
        "review-by": d.review_by or say("review-before-creation"),
        "supersedes": d.supersedes,
        "superseded-by": d.superseded_by,
        "what-if-of": derived,
        "adjusted-from": d.parent_id if d.source == "modal" else None,
        "knowledge-version": d.knowledge_version,
        "source": d.source,
        "link": d.permalink,
    }


def names_for(log: DecisionLog, decisions: Iterable[Decision]) -> dict[str, str]:
    return names_of(log, ids_named(decisions))


def adr_markdown(
    d: Decision,
    *,
    names: Mapping[str, str],
    plugin_names: Mapping[str, str],
    files: Mapping[int, str] | None = None,
) -> str:
    """The record of `d` (templates/adr.md.j2). `files`: decision id → its record's file name,
    for the decisions it supersedes or is superseded by (a link when known)."""
    return render_text(
        "adr.md.j2",
        d=d,
        r=d.result,
        fields=record_fields(d, names, plugin_names),
        names=names,
        plugin_names=plugin_names,
        files=files or {},
    )
