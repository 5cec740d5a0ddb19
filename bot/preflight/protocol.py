"""The probe datagrams of `preflight listen` and `preflight check`.

A probe is MAGIC, b"Q", an 8-byte probe id, then padding up to the size being tried. The
listener answers every probe with MAGIC, b"A", the same id and the size of the UDP payload it
received (4 bytes, big-endian): short whatever the probe's size, so the answer never needs the
path MTU being measured and never amplifies what was sent. Anything else is ignored.
"""

from __future__ import annotations

import struct

MAGIC = b"netplugin-pf1"  # recognisable in a packet capture
QUERY, ANSWER = b"Q", b"A"
ID_BYTES = 8
HEADER = len(MAGIC) + 1 + ID_BYTES
ANSWER_SIZE = HEADER + 4
MAX_PROBE = 9000  # the largest datagram the listener answers (jumbo frames)
# IP and UDP headers: a probe of IP size S carries S − overhead bytes of UDP payload.
OVERHEAD = {4: 20 + 8, 6: 40 + 8}


def probe(probe_id: bytes, payload_size: int) -> bytes:
    """A probe whose UDP payload is `payload_size` bytes (at least the header)."""
    if len(probe_id) != ID_BYTES:
        raise ValueError("probe id must be 8 bytes")
    head = MAGIC + QUERY + probe_id
    return head + b"\0" * max(payload_size - len(head), 0)


def answer_to(datagram: bytes) -> bytes | None:
    """The listener's answer to `datagram`, or None when it is not a probe."""
    if not (HEADER <= len(datagram) <= MAX_PROBE) or not datagram.startswith(MAGIC + QUERY):
        return None
    return MAGIC + ANSWER + datagram[len(MAGIC) + 1 : HEADER] + struct.pack(">I", len(datagram))


def read_answer(datagram: bytes) -> tuple[bytes, int] | None:
    """(probe id, payload size the listener received) of an answer, or None."""
    if len(datagram) != ANSWER_SIZE or not datagram.startswith(MAGIC + ANSWER):
        return None
    (size,) = struct.unpack(">I", datagram[HEADER:])
    return datagram[len(MAGIC) + 1 : HEADER], size
