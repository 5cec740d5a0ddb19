"""cidr-overlap: the planned pod and Service CIDRs against the routes this host already has.

The routes come from `ip -j route show table all` (iproute2, JSON, a 5-second limit): every
routing table, so policy-routing tables and the `local` table (this host's own addresses) are
seen too, for IPv4 and IPv6. /proc/net/route, read when iproute2 is missing, has the main IPv4
table only; the result says which source it read. Default routes cover everything and are left
out, as are broadcast, multicast and anycast entries (not a network anyone routes to).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.core.preflight import ItemResult
from bot.preflight.item import item
from bot.render.environment import printable
from bot.render.messages import say

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IGNORED_TYPES = {"broadcast", "multicast", "anycast"}
MAX_ROUTES = 100_000
PROC_ROUTE = Path("/proc/net/route")


class RoutesUnreadable(Exception):
    pass


@dataclass(frozen=True)
class Route:
    network: Network
    text: str  # as `ip route` would show it: "10.32.0.0/24 dev eth1 table main"


def _route(entry: dict) -> Route | None:
    dst = str(entry.get("dst", ""))
    if not dst or dst == "default" or entry.get("type") in IGNORED_TYPES:
        return None
    try:
        network = ipaddress.ip_network(dst, strict=False)
    except ValueError:
        return None
    if network.prefixlen == 0:
        return None
    parts = [str(network)]
    if entry.get("type") and entry["type"] != "unicast":
        parts.insert(0, str(entry["type"]))
    if entry.get("gateway"):
        parts += ["via", str(entry["gateway"])]
    if entry.get("dev"):
        parts += ["dev", str(entry["dev"])]
    parts += ["table", str(entry.get("table", "main"))]
    return Route(network, printable(" ".join(parts)))


def parse_ip_json(text: str) -> list[Route]:
    """Routes from `ip -j route show table all` output."""
    entries = json.loads(text or "[]")
    routes = [r for r in (_route(e) for e in entries[:MAX_ROUTES] if isinstance(e, dict)) if r]
    return routes


def parse_proc_route(text: str) -> list[Route]:
    """Routes from /proc/net/route (hex, little-endian on the machines Kubernetes runs on)."""
    routes: list[Route] = []
    for line in text.splitlines()[1 : MAX_ROUTES + 1]:
        fields = line.split()
        if len(fields) < 8:
            continue
        try:
            dst, gateway, mask = (
                socket.inet_ntoa(struct.pack("<I", int(fields[i], 16))) for i in (1, 2, 7)
            )
            network = ipaddress.ip_network(f"{dst}/{mask}", strict=False)
        except (ValueError, struct.error):
            continue
        if network.prefixlen == 0:
            continue
        entry = {"dst": str(network), "dev": fields[0], "table": "main"}
        if gateway != "0.0.0.0":
            entry["gateway"] = gateway
        route = _route(entry)
        if route:
            routes.append(route)
    return routes


def _ip_routes(family: str, timeout: float) -> list[Route]:
    done = subprocess.run(
        ["ip", "-j", family, "route", "show", "table", "all"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return parse_ip_json(done.stdout)


def host_routes(timeout: float = 5.0) -> tuple[list[Route], str]:
    """This host's routes and where they were read from (`ip` or /proc/net/route). IPv6 routes
    are added when the host has IPv6 (`ip -6` fails on a kernel without it)."""
    try:
        routes = _ip_routes("-4", timeout)
    except FileNotFoundError:
        try:
            return parse_proc_route(PROC_ROUTE.read_text(encoding="ascii")), str(PROC_ROUTE)
        except OSError as exc:
            raise RoutesUnreadable(str(exc)) from exc
    except (subprocess.SubprocessError, ValueError) as exc:
        raise RoutesUnreadable(str(exc)) from exc
    with contextlib.suppress(subprocess.SubprocessError, ValueError):
        routes += _ip_routes("-6", timeout)
    return routes, "ip"


def overlapping(cidrs: dict[str, Network], routes: list[Route]) -> list[dict[str, str]]:
    """Each (planned CIDR, route) pair that overlaps, in the order of the CIDRs given."""
    return [
        {"key": key, "cidr": str(cidr), "route": route.text}
        for key, cidr in cidrs.items()
        for route in routes
        if route.network.version == cidr.version and route.network.overlaps(cidr)
    ]


def cidr_overlap(cidrs: dict[str, Network], *, timeout: float = 5.0) -> ItemResult:
    """cidr-overlap on this host: unmet naming each overlapping route; unknown with no CIDR."""
    if not cidrs:
        return item(id="cidr-overlap", status="unknown", measured=say("pf-cidr-none"))
    try:
        routes, source = host_routes(timeout)
    except RoutesUnreadable as exc:
        measured = say("pf-cidr-unreadable", error=printable(exc))
        return item(id="cidr-overlap", status="unknown", measured=measured)
    clashes = overlapping(cidrs, routes)
    given = {k: str(v) for k, v in cidrs.items()}
    values: dict[str, object] = {"cidrs": given, "routes": len(routes), "source": source}
    if clashes:
        values["overlaps"] = clashes[:20]
        measured = say("pf-cidr-overlap", clashes=clashes[:5], more=len(clashes) - 5)
        return item(id="cidr-overlap", status="unmet", measured=measured, values=values)
    measured = say("pf-cidr-clear", cidrs=given, routes=len(routes), source=source)
    return item(id="cidr-overlap", status="met", measured=measured, values=values)
