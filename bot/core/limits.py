"""ACK Edge's limits a plan meets or not: the node quota and Terway Edge's Kubernetes versions.

The numbers are the checklist item's `params` in knowledge/checklist.yaml, next to their
sources; findings are data, worded by templates/messages.yaml.
"""

from __future__ import annotations

from typing import Any

from bot.core.result import Finding


def node_quota(nodes: int | None, params: dict[str, Any]) -> Finding:
    quota = params["nodes"]
    numbers = {"nodes": nodes, "quota": quota, "node_pools": params["node_pools"]}
    if nodes is None:
        return Finding(code="node-quota-unknown", status="unknown", params=numbers)
    if nodes > quota:
        return Finding(code="node-quota-over", status="unmet", params=numbers)
    return Finding(code="node-quota-ok", status="met", params=numbers)


def minor(version: str) -> tuple[int, int]:
    """`"1.30"` → (1, 30): versions compare by number, so 1.9 < 1.10 < 1.28."""
    major, _, rest = version.partition(".")
    return int(major), int(rest.partition(".")[0] or 0)


def k8s_version(version: str | None, params: dict[str, Any]) -> Finding:
    """Which Terway Edge releases run on the planned Kubernetes version."""
    oldest = params["oldest"]
    if version is None:
        return Finding(code="k8s-version-unknown", status="unknown", params={"oldest": oldest})
    if minor(version) < minor(oldest):
        return Finding(
            code="k8s-version-too-old",
            status="unmet",
            params={"version": version, "oldest": oldest},
        )
    runs = [
        r["release"]
        for r in params["releases"]
        if minor(r["from"]) <= minor(version)
        and ("below" not in r or minor(version) < minor(r["below"]))
    ]
    newer = [r for r in params["releases"] if minor(version) < minor(r["from"])]
    return Finding(
        code="k8s-version-ok",
        status="met",
        params={
            "version": version,
            "runs": runs,
            "newer": [{"release": r["release"], "from": r["from"]} for r in newer],
        },
    )
