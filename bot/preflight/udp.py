"""UDP probes to one peer's listener, and the vxlan-port item.

A ProbeSocket is connected to the peer's address and port, so the kernel hands it only that
peer's datagrams and reports ICMP errors about that peer to it (port unreachable as
ECONNREFUSED; fragmentation needed, with don't-fragment on, as EMSGSIZE). Every wait has a
deadline and every exchange a bounded number of datagrams read.
"""

from __future__ import annotations

import errno
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Literal

from bot.core.preflight import ItemResult
from bot.preflight import protocol
from bot.preflight.item import item
from bot.render.messages import say

VXLAN_PORT = 8472
# Linux's values (Python's socket module does not name them all): <linux/in.h>, <linux/in6.h>.
IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_MTU = 10, 2, 14
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO, IPV6_MTU = 23, 2, 24
READS_PER_EXCHANGE = 64  # datagrams read while waiting for one answer (stale ones, strangers)

Kind = Literal["answered", "too-big", "refused", "unreachable", "silent"]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    rtt_ms: float | None = None
    received: int | None = None  # the UDP payload size the listener says it received
    error: str = ""


def version(address: str) -> int:
    return ipaddress.ip_address(address).version


class ProbeSocket:
    """A UDP socket connected to (peer, port); `dont_fragment` sets path MTU discovery on
    (Linux: IP_PMTUDISC_DO), so a datagram larger than the path is refused, never split."""

    def __init__(self, peer: str, port: int, *, dont_fragment: bool = False):
        self.peer, self.port = peer, port
        self.version = version(peer)
        family = socket.AF_INET6 if self.version == 6 else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        if dont_fragment:
            level, option, value = (
                (socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
                if self.version == 6
                else (socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
            )
            self.sock.setsockopt(level, option, value)
        self.sock.connect((peer, port))
        self._prefix = secrets.token_bytes(4)
        self._count = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> ProbeSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def route_mtu(self) -> int:
        """The kernel's MTU towards the peer: the route's, or a smaller one learnt from an ICMP
        'fragmentation needed' (Linux: IP_MTU on a connected socket)."""
        level, option = (
            (socket.IPPROTO_IPV6, IPV6_MTU) if self.version == 6 else (socket.IPPROTO_IP, IP_MTU)
        )
        return self.sock.getsockopt(level, option)

    def _new_id(self) -> bytes:
        self._count += 1
        return self._prefix + self._count.to_bytes(4, "big")

    def ask(self, ip_size: int, *, tries: int, timeout: float) -> Outcome:
        """Send a probe of `ip_size` bytes (IP packet) up to `tries` times while nothing comes
        back; an answer to any of these tries counts (a late one too)."""
        payload = max(ip_size - protocol.OVERHEAD[self.version], protocol.HEADER)
        sent: dict[bytes, float] = {}
        outcome = Outcome("silent")
        for _ in range(max(tries, 1)):
            probe_id = self._new_id()
            try:
                self.sock.send(protocol.probe(probe_id, payload))
            except OSError as exc:
                return _failed(exc)
            sent[probe_id] = time.monotonic()
            outcome = self._wait(sent, timeout)
            if outcome.kind != "silent":
                return outcome
        return outcome

    def _wait(self, sent: dict[bytes, float], timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        for _ in range(READS_PER_EXCHANGE):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                datagram = self.sock.recv(256)
            except TimeoutError:
                break
            except OSError as exc:
                return _failed(exc)
            answer = protocol.read_answer(datagram)
            if answer is not None and answer[0] in sent:
                rtt = (time.monotonic() - sent[answer[0]]) * 1000
                return Outcome("answered", rtt_ms=round(rtt, 2), received=answer[1])
        return Outcome("silent")


def _failed(exc: OSError) -> Outcome:
    if exc.errno == errno.EMSGSIZE:
        return Outcome("too-big", error=exc.strerror or "")
    if exc.errno == errno.ECONNREFUSED:
        return Outcome("refused", error=exc.strerror or "")
    return Outcome("unreachable", error=exc.strerror or str(exc))


def vxlan_port(peer: str, *, port: int = VXLAN_PORT, tries: int, timeout: float) -> ItemResult:
    """vxlan-port towards one peer: a small probe to UDP `port` and its answer."""
    try:
        with ProbeSocket(peer, port) as probe_socket:
            outcome = probe_socket.ask(protocol.HEADER + 28, tries=tries, timeout=timeout)
    except OSError as exc:
        outcome = _failed(exc)
    values: dict[str, object] = {"port": port, "tries": tries, "timeout_s": timeout}
    words = {"peer": peer, "port": port, "tries": tries, "timeout": timeout}
    if outcome.kind == "answered":
        values["rtt_ms"] = outcome.rtt_ms
        measured = say("pf-udp-answered", rtt_ms=outcome.rtt_ms, **words)
        status = "met"
    else:
        values["outcome"] = outcome.kind
        measured = say(f"pf-udp-{outcome.kind}", error=outcome.error, **words)
        status = "unmet"
    return item(id="vxlan-port", status=status, peer=peer, measured=measured, values=values)
