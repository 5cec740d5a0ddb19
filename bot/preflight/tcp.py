"""edge-ports: TCP reachability of the ports the edge-ports item names, in its direction.

Inbound ports (kubelet 10250/10255, node-exporter 9100/9445) are what the other nodes must reach
on this one, so the check connects to each peer's; outbound ports (Raven 10280–10284, UDP 4500)
are what this node must reach on the cloud's Raven gateway, so the check connects to the gateway
named with --raven-gateway. A connection that opens is enough (kubelet-style reachability): it
is closed at once, nothing is sent.
"""

from __future__ import annotations

import errno
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from bot.core.preflight import ItemResult
from bot.preflight.item import item
from bot.preflight.udp import ProbeSocket
from bot.render.messages import say

PortState = Literal["open", "refused", "no-answer", "unreachable"]
_SPEC = re.compile(r"^(tcp|udp)/([0-9,\-]+)\s+(in|out)$")
MAX_PORTS = 64


@dataclass(frozen=True)
class PortSpec:
    protocol: str  # tcp | udp
    ports: tuple[int, ...]
    direction: str  # in | out


def port_specs(texts: list[str]) -> list[PortSpec]:
    """The checklist's `ports` ("tcp/10250,10255 in", "tcp/10280-10284 out") as data; an entry
    of another shape ("udp/8472 both ways") is not for this item and is left out."""
    found: list[PortSpec] = []
    for text in texts:
        match = _SPEC.match(text.strip())
        if not match:
            continue
        ports: list[int] = []
        for part in match.group(2).split(","):
            low, _, high = part.partition("-")
            ports.extend(range(int(low), int(high or low) + 1))
        found.append(PortSpec(match.group(1), tuple(ports[:MAX_PORTS]), match.group(3)))
    return found


def ports_of(specs: list[PortSpec], protocol: str, direction: str) -> list[int]:
    return [p for s in specs if (s.protocol, s.direction) == (protocol, direction) for p in s.ports]


def connect(address: str, port: int, timeout: float) -> PortState:
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return "open"
    except TimeoutError:
        return "no-answer"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        return "no-answer" if exc.errno == errno.ETIMEDOUT else "unreachable"


def _states(address: str, ports: list[int], timeout: float) -> dict[int, PortState]:
    if not ports:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(ports), 8)) as pool:
        states = pool.map(lambda p: connect(address, p, timeout), ports)
        return dict(zip(ports, states, strict=True))


def _status(states: dict[int, PortState]) -> str:
    return "met" if all(s == "open" for s in states.values()) else "unmet"


def _groups(states: dict[int, PortState]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for port, state in states.items():
        groups.setdefault(state, []).append(port)
    return groups


def inbound(peer: str, ports: list[int], *, timeout: float) -> ItemResult:
    """The inbound ports, connecting to `peer` (where a listener or the real service runs)."""
    states = _states(peer, ports, timeout)
    measured = say("pf-ports-inbound", peer=peer, groups=_groups(states), timeout=timeout)
    return item(
        id="edge-ports",
        status=_status(states),
        peer=peer,
        measured=measured,
        values={"direction": "in", "tcp": {str(p): s for p, s in states.items()}},
    )


def outbound(
    gateway: str | None, tcp_ports: list[int], udp_ports: list[int], *, tries: int, timeout: float
) -> ItemResult:
    """The outbound ports towards the Raven gateway; unknown when none was named. UDP ports
    answer only where `preflight listen --udp-port` runs: silence there says nothing, so only
    the TCP ports decide the status."""
    if gateway is None:
        measured = say("pf-ports-no-gateway", tcp=tcp_ports, udp=udp_ports)
        return item(id="edge-ports", status="unknown", measured=measured)
    states = _states(gateway, tcp_ports, timeout)
    udp: dict[str, str] = {}
    for port in udp_ports:
        try:
            with ProbeSocket(gateway, port) as probe:
                udp[str(port)] = probe.ask(64, tries=tries, timeout=timeout).kind
        except OSError:
            udp[str(port)] = "unreachable"
    measured = say(
        "pf-ports-outbound", peer=gateway, groups=_groups(states), udp=udp, timeout=timeout
    )
    return item(
        id="edge-ports",
        status=_status(states),
        peer=gateway,
        measured=measured,
        values={"direction": "out", "tcp": {str(p): s for p, s in states.items()}, "udp": udp},
    )
