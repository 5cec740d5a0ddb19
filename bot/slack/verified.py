"""What the checklist says of preflight reports: which items were verified on real hosts, by whom,
when (bot/decisions/preflight.py keeps them), and the command that verifies them with this
decision's token.

    verified_lines(advisor, decision) → {"vxlan-port": [{"status": "met", "host": …, "when": …}]}
    preflight_command(advisor, decision, token) → "netplugin preflight check --decision 12 …"

The token is shown only to the member of the decision's channel who clicked Checklist (an
ephemeral message); never in the thread, never in a log line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.decisions import Decision
from bot.decisions.preflight import Verification, verified
from bot.slack import ids
from bot.slack.deps import Advisor

PLACEHOLDER_URL = "<bot-url>"  # NETPLUGIN_PUBLIC_URL unset: the person fills it in


def when(iso: str) -> str:
    """An ISO time as people read it in a message: 2026-11-02 09:30 UTC."""
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%d %H:%M UTC")


def line(v: Verification) -> dict[str, Any]:
    """One verification as the templates show it."""
    shown = v.model_dump(include={"item", "status", "peer", "measured", "host", "by"})
    return {**shown, "when": when(v.at)}


def verified_lines(advisor: Advisor, decision: Decision) -> dict[str, list[dict[str, Any]]]:
    """Item id → its latest verifications (one per host and peer), newest first."""
    return {
        item: [line(v) for v in found] for item, found in verified(advisor.log, decision.id).items()
    }


def report_url(advisor: Advisor) -> str:
    """Where `preflight check --report` sends its results: NETPLUGIN_PUBLIC_URL and the path,
    or a placeholder when the bot's public URL is not configured."""
    base = (advisor.public_url or "").rstrip("/") or PLACEHOLDER_URL
    return base + ids.PREFLIGHT_REPORT_PATH


def preflight_command(advisor: Advisor, decision: Decision, token: str) -> str:
    """The command that checks `decision`'s items on a node and reports them to this bot."""
    parts = ["netplugin preflight check", f"--decision {decision.id}"]
    plugin = decision.result.get("plugin")
    if plugin:
        parts.append(f"--plugin {plugin}")
    plan = decision.plan
    for key in ("pod-cidr", "service-cidr"):  # what cidr-overlap checks the host's routes against
        if plan.get(key):
            parts.append(f"--{key} {plan[key]}")
    parts.append("--peer <node-ip>")
    if any(c.get("id") == "bgp-vswitch" for c in decision.result.get("checklist", [])):
        parts.append("--bgp-peer <gateway-ip>")
    parts += [f"--report {report_url(advisor)}", f"--token {token}"]
    return " ".join(parts)
