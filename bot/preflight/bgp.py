"""bgp-vswitch: does the edge gateway speak BGP, and would it peer with this node?

One exchange, as RFC 4271 has it: TCP to port 179, our OPEN (version 4, our AS, hold time 90,
the local address as BGP identifier, the capabilities multiprotocol IPv4 unicast and 4-octet AS
(RFC 6793; an AS above 65535 goes as AS_TRANS in the 2-byte field), then the gateway's OPEN and
its KEEPALIVE, which says it accepted ours, or a NOTIFICATION saying why not. We never send a
KEEPALIVE, so the session does not reach Established and no route is exchanged; we close with a
NOTIFICATION Cease (administrative shutdown, with a shutdown communication, RFC 9003). Not a
routing daemon: no UPDATE is read or sent.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from bot.core.preflight import ItemResult
from bot.preflight.item import item
from bot.render.environment import printable
from bot.render.messages import say

PORT = 179
MARKER = b"\xff" * 16
HEADER = 19
MAX_MESSAGE = 4096
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
AS_TRANS = 23456
MAX_AS = 2**32 - 1
HOLD_TIME = 90
CAP_MULTIPROTOCOL, CAP_FOUR_OCTET_AS = 1, 65
CEASE, ADMIN_SHUTDOWN = 6, 2
GOODBYE = "netplugin preflight check: a test, not a session"
MAX_MESSAGES = 8  # read before giving up on a KEEPALIVE


class BgpError(Exception):
    """A message that is not BGP (bad marker, length or field)."""


@dataclass(frozen=True)
class Capability:
    code: int
    data: bytes = b""

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code}
        if self.code == CAP_MULTIPROTOCOL and len(self.data) == 4:
            afi, _, safi = struct.unpack(">HBB", self.data)
            found.update(afi=afi, safi=safi)
        elif self.code == CAP_FOUR_OCTET_AS and len(self.data) == 4:
            found["asn"] = struct.unpack(">I", self.data)[0]
        return found


@dataclass(frozen=True)
class Open:
    version: int
    my_as: int  # the 2-byte field
    hold_time: int
    router_id: str
    capabilities: list[Capability] = field(default_factory=list)

    @property
    def asn(self) -> int:
        """The speaker's AS: the 4-octet AS capability's, when it sent one."""
        for cap in self.capabilities:
            if cap.code == CAP_FOUR_OCTET_AS and len(cap.data) == 4:
                return struct.unpack(">I", cap.data)[0]
        return self.my_as


def message(kind: int, body: bytes = b"") -> bytes:
    return MARKER + struct.pack(">HB", HEADER + len(body), kind) + body


def _capability(code: int, data: bytes) -> bytes:
    return bytes([code, len(data)]) + data


def open_message(asn: int, router_id: str, *, hold_time: int = HOLD_TIME, afi: int = 1) -> bytes:
    if not 1 <= asn <= MAX_AS:
        raise ValueError(f"AS {asn} is outside 1..{MAX_AS}")
    caps = _capability(CAP_MULTIPROTOCOL, struct.pack(">HBB", afi, 0, 1))
    caps += _capability(CAP_FOUR_OCTET_AS, struct.pack(">I", asn))
    params = bytes([2, len(caps)]) + caps  # optional parameter 2: capabilities (RFC 5492)
    two_byte = asn if asn <= 0xFFFF else AS_TRANS
    body = struct.pack(
        ">BHH4sB", 4, two_byte, hold_time, ipaddress.IPv4Address(router_id).packed, len(params)
    )
    return message(OPEN, body + params)


def keepalive() -> bytes:
    return message(KEEPALIVE)


def notification(code: int, subcode: int, data: bytes = b"") -> bytes:
    return message(NOTIFICATION, bytes([code, subcode]) + data)


def cease() -> bytes:
    text = GOODBYE.encode()
    return notification(CEASE, ADMIN_SHUTDOWN, bytes([len(text)]) + text)


def split(datagram: bytes) -> tuple[int, bytes]:
    """(type, body) of one whole message."""
    if len(datagram) < HEADER or datagram[:16] != MARKER:
        raise BgpError("marker")
    length, kind = struct.unpack(">HB", datagram[16:HEADER])
    if not HEADER <= length <= MAX_MESSAGE or length != len(datagram):
        raise BgpError("length")
    return kind, datagram[HEADER:]


def parse_open(body: bytes) -> Open:
    if len(body) < 10:
        raise BgpError("OPEN too short")
    version, my_as, hold, router, params_len = struct.unpack(">BHH4sB", body[:10])
    params = body[10 : 10 + params_len]
    if len(params) != params_len:
        raise BgpError("OPEN parameters length")
    caps: list[Capability] = []
    i = 0
    while i + 2 <= len(params):
        kind, length = params[i], params[i + 1]
        value = params[i + 2 : i + 2 + length]
        if len(value) != length:
            raise BgpError("OPEN parameter length")
        if kind == 2:
            j = 0
            while j + 2 <= len(value):
                code, size = value[j], value[j + 1]
                caps.append(Capability(code, bytes(value[j + 2 : j + 2 + size])))
                j += 2 + size
        i += 2 + length
    return Open(version, my_as, hold, str(ipaddress.IPv4Address(router)), caps)


def parse_notification(body: bytes) -> tuple[int, int, bytes]:
    if len(body) < 2:
        raise BgpError("NOTIFICATION too short")
    return body[0], body[1], body[2:]


def _shutdown_text(code: int, subcode: int, data: bytes) -> str:
    """The peer's shutdown communication (RFC 9003), made printable, or ''."""
    if code != CEASE or subcode not in (2, 4) or not data or data[0] + 1 > len(data):
        return ""
    text = data[1 : 1 + data[0]].decode("utf-8", "replace")
    return printable(" ".join(text.split()))[:128]


class _Reader:
    """Whole BGP messages from a socket, each read within the deadline."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline, self.buffer = sock, deadline, b""

    def _exactly(self, size: int) -> bytes | None:
        while len(self.buffer) < size:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            chunk = self.sock.recv(MAX_MESSAGE)
            if not chunk:
                return None
            self.buffer += chunk
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def next(self) -> tuple[int, bytes] | None:
        head = self._exactly(HEADER)
        if head is None:
            return None
        if head[:16] != MARKER:
            raise BgpError("marker")
        length = struct.unpack(">H", head[16:18])[0]
        if not HEADER <= length <= MAX_MESSAGE:
            raise BgpError("length")
        body = self._exactly(length - HEADER)
        if body is None:
            return None
        return split(head + body)


@dataclass
class Exchange:
    """What happened: how far it got, and what the peer said."""

    # refused | no-answer | unreachable | closed | not-bgp | no-open | notification |
    # no-keepalive | accepted
    stage: str
    local: str = ""  # the address we connected from
    peer_open: Open | None = None
    notice: tuple[int, int, str] | None = None  # code, subcode, shutdown text
    error: str = ""


def exchange(
    peer: str, *, local_as: int, router_id: str | None, timeout: float, port: int = PORT
) -> Exchange:
    """Connect, send our OPEN, read the peer's answer, leave politely. Bounded by `timeout` for
    the connection and again for the answer, and by MAX_MESSAGES messages."""
    try:
        sock = socket.create_connection((peer, port), timeout=timeout)
    except ConnectionRefusedError:
        return Exchange("refused")
    except TimeoutError:
        return Exchange("no-answer")
    except OSError as exc:
        return Exchange("unreachable", error=exc.strerror or str(exc))
    with sock:
        local = sock.getsockname()[0]
        found = Exchange("closed", local=local)
        rid = router_id or local  # an IPv6 peer needs one given (the CLI asks for it)
        reader = _Reader(sock, time.monotonic() + timeout)
        try:
            sock.sendall(open_message(local_as, rid))
            for _ in range(MAX_MESSAGES):
                got = reader.next()
                if got is None:
                    break
                kind, body = got
                if kind == OPEN:
                    found.peer_open = parse_open(body)
                elif kind == NOTIFICATION:
                    code, subcode, data = parse_notification(body)
                    found.stage, found.notice = (
                        "notification",
                        (
                            code,
                            subcode,
                            _shutdown_text(code, subcode, data),
                        ),
                    )
                    return found
                elif kind == KEEPALIVE and found.peer_open is not None:
                    found.stage = "accepted"
                    break
            sock.sendall(cease())
        except TimeoutError:
            found.stage = "no-open" if found.peer_open is None else "no-keepalive"
        except BgpError as exc:
            found.stage, found.error = "not-bgp", str(exc)
        except OSError as exc:
            found.error = exc.strerror or str(exc)
        return found


def bgp_vswitch(
    peer: str,
    *,
    local_as: int,
    expected_as: int | None,
    router_id: str | None = None,
    timeout: float,
    port: int = PORT,
) -> ItemResult:
    """bgp-vswitch: met when the gateway sends its OPEN and a KEEPALIVE (it would peer with this
    node and AS) and, when --bgp-as is given, its AS is that one."""
    found = exchange(peer, local_as=local_as, router_id=router_id, timeout=timeout, port=port)
    values: dict[str, Any] = {"port": port, "local_as": local_as, "stage": found.stage}
    words: dict[str, Any] = {
        "peer": peer,
        "port": port,
        "local": found.local,
        "local_as": local_as,
        "expected_as": expected_as,
        "stage": found.stage,
        "error": printable(found.error),
        "timeout": timeout,
        "peer_as": None,
        "capabilities": "",
        "notice": "",
    }
    if found.peer_open is not None:
        o = found.peer_open
        caps = [c.as_json() for c in o.capabilities]
        values.update(
            peer_as=o.asn,
            router_id=o.router_id,
            hold_time=o.hold_time,
            version=o.version,
            capabilities=caps,
        )
        words.update(peer_as=o.asn, router_id=o.router_id, hold_time=o.hold_time)
        words["capabilities"] = say("pf-bgp-capabilities", capabilities=caps)
    if found.notice is not None:
        number, subcode, text = found.notice
        values["notification"] = {"code": number, "subcode": subcode, "text": text}
        words["notice"] = say("pf-bgp-error", number=number, subcode=subcode, text=text)
    status = "met" if found.stage == "accepted" else "unmet"
    if status == "met" and expected_as is not None and values["peer_as"] != expected_as:
        status = "unmet"
        words["stage"] = values["stage"] = "other-as"
    measured = say("pf-bgp", **words)
    return item(id="bgp-vswitch", status=status, peer=peer, measured=measured, values=values)
