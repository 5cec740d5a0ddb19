"""CIDR planning with the standard library's `ipaddress`: overlaps, capacity, private ranges.

Findings are data (a code and numbers); the words a user reads come from templates/messages.yaml.
"""

from __future__ import annotations

import ipaddress
import math
from itertools import combinations

from bot.core.result import Finding

IPv4Network = ipaddress.IPv4Network

DEFAULT_PER_NODE_PREFIX = 24  # flannel's SubnetLen default [S19]
DEFAULT_MAX_PODS = 110  # kubelet's max-pods default [S47]
ENI_IPS = 25  # private IPs one ENS ENI holds [S7]
# VPC private ranges for ACK [S31].
PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
CIDR_KEYS = ("pod-cidr", "service-cidr", "node-cidr")


def overlaps(cidrs: dict[str, IPv4Network | None]) -> Finding:
    given = {k: v for k, v in cidrs.items() if v is not None}
    clashes = [
        {"a": a, "a_cidr": str(given[a]), "b": b, "b_cidr": str(given[b])}
        for a, b in combinations(given, 2)
        if given[a].overlaps(given[b])
    ]
    if clashes:
        return Finding(code="cidr-overlap", status="unmet", params={"clashes": clashes})
    if len(given) >= 2:
        return Finding(code="cidr-no-overlap", status="met", params={"keys": list(given)})
    return Finding(code="cidr-overlap-unknown", status="unknown", params={"keys": list(given)})


def capacity(
    pod_cidr: IPv4Network | None,
    nodes: int | None,
    per_node_prefix: int | None = None,
    pods_per_node: int | None = None,
) -> Finding:
    prefix = per_node_prefix or DEFAULT_PER_NODE_PREFIX
    if pod_cidr is None:
        return Finding(code="capacity-no-cidr", status="unknown", params={"prefix": prefix})
    max_nodes = 2 ** (prefix - pod_cidr.prefixlen) if prefix >= pod_cidr.prefixlen else 0
    # Each node's subnet loses its network, broadcast and the bridge's gateway address.
    pods_per_subnet = max(2 ** (32 - prefix) - 3, 0)
    params = {
        "pod_cidr": str(pod_cidr),
        "prefix": prefix,
        "max_nodes": max_nodes,
        "nodes": nodes,
        "pods_per_subnet": pods_per_subnet,
        "pods_per_node": pods_per_node,
    }
    if max_nodes == 0:
        return Finding(code="capacity-cidr-smaller-than-subnet", status="unmet", params=params)
    if pods_per_node is not None and pods_per_node > pods_per_subnet:
        needed = 32 - math.ceil(math.log2(pods_per_node + 3))
        params["needed_prefix"] = needed
        return Finding(code="capacity-pods-per-node", status="unmet", params=params)
    if nodes is None:
        return Finding(code="capacity-no-nodes", status="unknown", params=params)
    if nodes > max_nodes:
        # the largest pod CIDR prefix that would hold the nodes
        params["needed_prefix"] = prefix - math.ceil(math.log2(nodes))
        return Finding(code="capacity-too-small", status="unmet", params=params)
    return Finding(code="capacity-ok", status="met", params=params)


def eni_capacity(pods_per_node: int | None) -> Finding:
    pods = pods_per_node or DEFAULT_MAX_PODS
    enis = math.ceil(pods / ENI_IPS) + 1  # the primary ENI carries no pod IPs
    return Finding(
        code="eni-capacity",
        status="unknown",
        params={"pods": pods, "enis": enis, "per_eni": ENI_IPS, "default": pods_per_node is None},
    )


def non_private(cidrs: dict[str, IPv4Network | None]) -> list[Finding]:
    return [
        Finding(code="cidr-not-private", status="unmet", params={"key": k, "cidr": str(v)})
        for k, v in cidrs.items()
        if v is not None and not any(v.subnet_of(r) for r in PRIVATE_RANGES)
    ]
