"""vxlan-mtu: the path MTU to one peer, measured with don't-fragment UDP probes.

The search runs between the smallest MTU every IPv4 path carries (576; 1280 for IPv6) and the
kernel's MTU towards the peer (the local route's). A probe larger than what the kernel knows is
refused at once (EMSGSIZE); one larger than a hop further on is dropped by that hop, which sends
ICMP 'fragmentation needed' and the kernel lowers its MTU for the peer: the socket reports
EMSGSIZE and IP_MTU names the new size, which is tried next. A hop that drops without saying so
(an ICMP black hole) leaves only silence: then a binary search over the sizes, each confirmed by
the listener's answer naming the size it received. Bounded: at most MAX_PROBES sizes and
`budget` seconds per peer.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from bot.core.preflight import ItemResult
from bot.preflight.item import item
from bot.preflight.udp import VXLAN_PORT, Outcome, ProbeSocket, version
from bot.render.messages import say

FLOOR = {4: 576, 6: 1280}
CEILING = 9000  # the listener's largest probe: jumbo frames
VXLAN_OVERHEAD = {4: 50, 6: 70}  # outer IP + UDP + VXLAN + inner Ethernet [S19, S21]
MAX_PROBES = 32


@dataclass
class Search:
    """What a search found: the largest size answered, the smallest that failed."""

    best: int = 0
    upper: int = 0
    local_mtu: int = 0
    probes: int = 0
    last: Outcome | None = None


def search(probe: ProbeSocket, *, tries: int, timeout: float, budget: float) -> Search:
    v = probe.version
    found = Search(local_mtu=probe.route_mtu())
    found.upper = min(found.local_mtu, CEILING)
    deadline = time.monotonic() + budget

    def ask(size: int) -> Outcome:
        found.probes += 1
        found.last = probe.ask(size, tries=tries, timeout=timeout)
        return found.last

    floor = min(FLOOR[v], found.upper)
    if ask(floor).kind != "answered":
        return found  # best stays 0: the listener does not answer at all
    found.best = floor
    size = found.upper
    while found.best < found.upper and found.probes < MAX_PROBES:
        if time.monotonic() > deadline:
            break
        outcome = ask(size)
        if outcome.kind == "answered":
            found.best = size
        elif outcome.kind in ("refused", "unreachable"):
            break
        else:
            learnt = probe.route_mtu()  # a hop's ICMP may have taught the kernel a smaller MTU
            found.upper = max(min(size - 1, learnt), found.best)
            if outcome.kind == "too-big" or learnt < size:
                size = found.upper  # the kernel's figure is usually the answer: try it next
                continue
        size = (found.best + found.upper + 1) // 2
    return found


def vxlan_mtu(
    peer: str,
    *,
    link_mtu: int,
    port: int = VXLAN_PORT,
    tries: int,
    timeout: float,
    budget: float = 20.0,
) -> ItemResult:
    """vxlan-mtu towards one peer: met when the path carries the planned link MTU."""
    v = version(peer)
    values: dict[str, object] = {"link_mtu": link_mtu, "outer": f"ipv{v}"}
    words: dict[str, object] = {"peer": peer, "port": port, "link_mtu": link_mtu}
    if not sys.platform.startswith("linux"):
        measured = say("pf-mtu-not-linux", **words)
        return item(id="vxlan-mtu", status="unknown", peer=peer, measured=measured)
    try:
        with ProbeSocket(peer, port, dont_fragment=True) as probe:
            found = search(probe, tries=tries, timeout=timeout, budget=budget)
    except OSError as exc:
        measured = say("pf-mtu-failed", error=exc.strerror or str(exc), **words)
        return item(id="vxlan-mtu", status="unknown", peer=peer, measured=measured)
    values.update(local_mtu=found.local_mtu, probes=found.probes)
    if found.best == 0:
        kind = found.last.kind if found.last else "silent"
        measured = say("pf-mtu-no-answer", outcome=kind, floor=FLOOR[v], **words)
        return item(id="vxlan-mtu", status="unknown", peer=peer, measured=measured, values=values)
    pod_mtu = found.best - VXLAN_OVERHEAD[v]
    # exact: the search closed in on it (not at the listener's ceiling below the route's MTU)
    exact = found.best == found.upper and not (found.best == CEILING < found.local_mtu)
    values.update(path_mtu=found.best, pod_mtu=pod_mtu, exact=exact)
    words.update(
        path_mtu=found.best,
        pod_mtu=pod_mtu,
        overhead=VXLAN_OVERHEAD[v],
        local_mtu=found.local_mtu,
        exact=exact,
        upper=found.upper,
    )
    if found.best >= link_mtu:
        status = "met"
    elif found.upper < link_mtu:
        status = "unmet"
    else:  # the search stopped (time, probes) between a size too small and one not ruled out
        status = "unknown"
    measured = say(f"pf-mtu-{status}", **words)
    return item(id="vxlan-mtu", status=status, peer=peer, measured=measured, values=values)
