"""`preflight check`: which checklist items to measure, towards whom, and the results in order.

The CLI says what to measure (a CheckPlan: item ids, the addresses the user named, the planned
numbers); this module runs each measurement on a small pool of threads (each one bounded in
time on its own) and returns the checklist's items as ItemResults, in the checklist's order and
the peers' order. An item that needs an input nobody gave is `unknown`, saying which.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.core.preflight import ItemResult
from bot.preflight import bgp, pmtu, routes, tcp, udp
from bot.preflight.item import item as make_item
from bot.render.messages import say

# The checklist items this command can measure (knowledge/checklist.yaml ids), in its order.
MEASURED = ("vxlan-port", "vxlan-mtu", "bgp-vswitch", "edge-ports", "cidr-overlap")
MAX_PEERS = 32
Task = Callable[[], ItemResult]
WORKERS = 16


@dataclass(frozen=True)
class CheckPlan:
    items: tuple[str, ...]  # ids, from MEASURED
    peers: tuple[str, ...] = ()
    udp_port: int = udp.VXLAN_PORT
    link_mtu: int = 1500
    bgp_peer: str | None = None
    bgp_as: int | None = None
    local_as: int = 64512
    router_id: str | None = None
    raven_gateway: str | None = None
    cidrs: dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=dict)
    edge_ports: tuple[str, ...] = ()  # the edge-ports item's `ports`, as in the checklist
    tries: int = 3
    timeout: float = 1.0  # per probe, per connection
    mtu_budget: float = 20.0  # per peer


def _task(item: str, measure: Callable[..., ItemResult], *args: Any, **kwargs: Any) -> Task:
    task = partial(measure, *args, **kwargs)
    task.item = item  # type: ignore[attr-defined]  # for _guarded's result, should it fail
    return task


def _missing(item: str, option: str) -> ItemResult:
    return make_item(id=item, status="unknown", measured=say("pf-give", option=option))


def tasks(plan: CheckPlan) -> list[Task]:
    """One function per result, in the order results are shown."""
    found: list[Task] = []
    specs = tcp.port_specs(list(plan.edge_ports))
    probe = {"tries": plan.tries, "timeout": plan.timeout}
    for item in (i for i in MEASURED if i in plan.items):
        if item in ("vxlan-port", "vxlan-mtu", "edge-ports") and not plan.peers:
            found.append(_task(item, _missing, item, "--peer"))
        if item == "vxlan-port":
            port = plan.udp_port
            found += [_task(item, udp.vxlan_port, p, port=port, **probe) for p in plan.peers]
        elif item == "vxlan-mtu":
            found += [
                _task(
                    item,
                    pmtu.vxlan_mtu,
                    p,
                    link_mtu=plan.link_mtu,
                    port=plan.udp_port,
                    budget=plan.mtu_budget,
                    **probe,
                )
                for p in plan.peers
            ]
        elif item == "edge-ports":
            inbound, wait = tcp.ports_of(specs, "tcp", "in"), plan.timeout
            found += [_task(item, tcp.inbound, p, inbound, timeout=wait) for p in plan.peers]
            out_tcp, out_udp = tcp.ports_of(specs, "tcp", "out"), tcp.ports_of(specs, "udp", "out")
            found.append(_task(item, tcp.outbound, plan.raven_gateway, out_tcp, out_udp, **probe))
        elif item == "bgp-vswitch" and plan.bgp_peer is None:
            found.append(_task(item, _missing, item, "--bgp-peer"))
        elif item == "bgp-vswitch":
            found.append(
                _task(
                    item,
                    bgp.bgp_vswitch,
                    plan.bgp_peer,
                    local_as=plan.local_as,
                    expected_as=plan.bgp_as,
                    router_id=plan.router_id,
                    timeout=plan.timeout * plan.tries,
                )
            )
        elif item == "cidr-overlap":
            found.append(_task(item, routes.cidr_overlap, plan.cidrs))
    return found


def run(plan: CheckPlan) -> list[ItemResult]:
    """Every measurement of `plan`, run side by side; the results in the order of `tasks`."""
    work = tasks(plan)
    if not work:
        return []
    with ThreadPoolExecutor(max_workers=min(len(work), WORKERS)) as pool:
        return list(pool.map(_guarded, work))


def _guarded(task: Task) -> ItemResult:
    """A measurement that fails in a way nobody foresaw is `unknown`, with the error: one
    broken probe must not take the other results with it."""
    try:
        return task()
    except Exception as exc:
        item = getattr(task, "item", "preflight")
        return make_item(id=item, status="unknown", measured=say("pf-failed", error=str(exc)))
