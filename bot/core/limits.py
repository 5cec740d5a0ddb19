"""ACK Edge's limits a plan meets or not: the node quota and Terway Edge's Kubernetes versions.

The numbers are the checklist item's `params` in knowledge/checklist.yaml, next to their
sources; findings are data, worded by templates/messages.yaml.
"""

from __future__ import annotations

from typing import Any

from bot.core.conditions import version_key
from bot.core.result import Finding


def node_quota(nodes: int | None, params: dict[str, Any]) -> Finding:
    quota = params["nodes"]
    numbers = {"nodes": nodes, "quota": quota, "node_pools": params["node_pools"]}
    if nodes is None:
        return Finding(code="node-quota-unknown", status="unknown", params=numbers)
    if nodes > quota:
        return Finding(code="node-quota-over", status="unmet", params=numbers)
    return Finding(code="node-quota-ok", status="met", params=numbers)


def k8s_version(version: str | None, params: dict[str, Any]) -> Finding:
    """Which Terway Edge releases run on the planned Kubernetes version."""
    oldest = params["oldest"]
    if version is None:
        return Finding(code="k8s-version-unknown", status="unknown", params={"oldest": oldest})
    if version_key(version) < version_key(oldest):
        return Finding(
            code="k8s-version-too-old",
            status="unmet",
            params={"version": version, "oldest": oldest},
        )
    runs = [
        r["release"]
        for r in params["releases"]
        if version_key(r["from"]) <= version_key(version)
        and ("below" not in r or version_key(version) < version_key(r["below"]))
    ]
    newer = [r for r in params["releases"] if version_key(version) < version_key(r["from"])]
    return Finding(
        code="k8s-version-ok",
        status="met",
        params={
            "version": version,
            "runs": runs,
            "newer": [{"release": r["release"], "from": r["from"]} for r in newer],
        },
    )
