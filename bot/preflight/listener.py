"""`preflight listen`: answer the check's probes on one address, for a while.

UDP: every probe (bot.preflight.protocol) gets its short answer, from the port it came to;
anything else is ignored. TCP: a connection is accepted and closed, which is all a reachability
check needs. One thread, one selector; it stops at its deadline, when `stop` is set (SIGTERM,
Ctrl-C), and never answers more than MAX_ANSWERS datagrams.
"""

from __future__ import annotations

import errno
import ipaddress
import selectors
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.preflight import protocol

MAX_ANSWERS = 1_000_000
READS_PER_WAKE = 64  # datagrams or connections handled per socket before looking at the clock
TICK = 0.2  # how soon a stop request is seen


class ListenError(Exception):
    """A socket the listener cannot have: a code of templates/messages.yaml and its numbers."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Listening:
    """What was bound, what was not (a busy TCP port: its service may already answer), and
    what was answered."""

    address: str
    udp_ports: list[int]
    tcp_ports: list[int]
    busy_tcp: list[int] = field(default_factory=list)
    answered: Counter[str] = field(default_factory=Counter)  # UDP answers by source address
    accepted: Counter[str] = field(default_factory=Counter)  # TCP connections by source


def _socket(address: str, kind: int) -> socket.socket:
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    sock = socket.socket(family, kind)
    if kind == socket.SOCK_STREAM:  # rebinding after a restart; on UDP it would share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def bind(address: str, udp_ports: list[int], tcp_ports: list[int]) -> tuple[list, Listening]:
    """The sockets, bound to `address` only. A UDP port that cannot be had is an error (the
    check would measure someone else); a busy TCP port is skipped and said."""
    sockets: list[socket.socket] = []
    state = Listening(address, [], [])
    try:
        for port in udp_ports:
            sock = _socket(address, socket.SOCK_DGRAM)
            sockets.append(sock)
            try:
                sock.bind((address, port))
            except OSError as exc:
                raise _bind_error(exc, address, "UDP", port) from exc
            state.udp_ports.append(port)
        for port in tcp_ports:
            sock = _socket(address, socket.SOCK_STREAM)
            try:
                sock.bind((address, port))
                sock.listen(64)
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRINUSE:
                    state.busy_tcp.append(port)
                    continue
                raise _bind_error(exc, address, "TCP", port) from exc
            sockets.append(sock)
            state.tcp_ports.append(port)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    for sock in sockets:
        sock.setblocking(False)
    return sockets, state


def _bind_error(exc: OSError, address: str, protocol_name: str, port: int) -> ListenError:
    code = {
        errno.EADDRNOTAVAIL: "pf-listen-not-here",
        errno.EADDRINUSE: "pf-listen-busy",
        errno.EACCES: "pf-listen-denied",
    }.get(exc.errno or 0, "pf-listen-failed")
    return ListenError(
        code, address=address, protocol=protocol_name, port=port, error=exc.strerror or str(exc)
    )


def serve(
    sockets: list[socket.socket],
    state: Listening,
    seconds: float,
    *,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Listening:
    """Answer until `seconds` have passed or `stop` is set; close the sockets."""
    stop = stop or threading.Event()
    deadline = clock() + seconds
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        try:
            while not stop.is_set() and sum(state.answered.values()) < MAX_ANSWERS:
                left = deadline - clock()
                if left <= 0:
                    break
                for key, _ in selector.select(min(left, TICK)):
                    sock = key.fileobj
                    if sock.type == socket.SOCK_DGRAM:
                        _answer(sock, state)
                    else:
                        _accept(sock, state)
        finally:
            for sock in sockets:
                sock.close()
    return state


def _answer(sock: socket.socket, state: Listening) -> None:
    for _ in range(READS_PER_WAKE):
        try:
            datagram, source = sock.recvfrom(protocol.MAX_PROBE + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return  # an ICMP error about an earlier answer: nothing to do with this probe
        answer = protocol.answer_to(datagram)
        if answer is None:
            continue
        try:
            sock.sendto(answer, source)
        except OSError:
            continue
        state.answered[source[0]] += 1


def _accept(sock: socket.socket, state: Listening) -> None:
    for _ in range(READS_PER_WAKE):
        try:
            conn, source = sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        conn.close()
        state.accepted[source[0]] += 1
