"""`netplugin preflight` without network namespaces: the probe protocol, the listener and the
probes on loopback, BGP messages against a fake peer, route parsing, the CLI's refusals, and the
report to the bot (a stand-in HTTP server). The real networks: tests/test_preflight_netns.py."""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
import threading
from contextlib import contextmanager, suppress

import pytest

from bot.core.preflight import MAX_TEXT
from bot.preflight import bgp, listener, pmtu, protocol, routes, tcp, udp
from bot.preflight.item import item

# --- the probe protocol ---------------------------------------------------------------------


def test_a_probe_is_answered_with_its_id_and_size_in_a_short_answer():
    probe = protocol.probe(b"12345678", 1472)
    assert len(probe) == 1472 and probe.startswith(protocol.MAGIC)
    answer = protocol.answer_to(probe)
    assert len(answer) == protocol.ANSWER_SIZE < 64
    assert protocol.read_answer(answer) == (b"12345678", 1472)


@pytest.mark.parametrize(
    "datagram",
    [
        b"",
        b"hello",
        protocol.MAGIC + b"A" + b"x" * 12,
        b"\0" * 100,
        b"x" + protocol.probe(b"a" * 8, 64),
    ],
)
def test_anything_but_a_probe_gets_no_answer(datagram):
    assert protocol.answer_to(datagram) is None


def test_a_probe_larger_than_9000_bytes_gets_no_answer():
    assert protocol.answer_to(protocol.probe(b"a" * 8, 9000)) is not None
    assert protocol.answer_to(protocol.probe(b"a" * 8, 9001)) is None


# --- the listener and the probes, on loopback ----------------------------------------------


@contextmanager
def listening(tcp_ports=()):
    sockets, state = listener.bind("127.0.0.1", [0], list(tcp_ports))
    port = sockets[0].getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(
        target=listener.serve, args=(sockets, state, 30), kwargs={"stop": stop}
    )
    thread.start()
    try:
        yield port, state
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_the_vxlan_port_is_met_when_the_listener_answers():
    with listening() as (port, state):
        result = udp.vxlan_port("127.0.0.1", port=port, tries=2, timeout=2)
    assert result.status == "met" and result.peer == "127.0.0.1"
    assert result.values["rtt_ms"] >= 0 and "answered" in result.measured
    assert state.answered["127.0.0.1"] == 1


def test_a_closed_port_is_a_refusal():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = udp.vxlan_port("127.0.0.1", port=port, tries=2, timeout=1)
    assert (result.status, result.values["outcome"]) == ("unmet", "refused")


def test_a_stranger_answering_on_the_port_is_not_the_listener():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.bind(("127.0.0.1", 0))
        port = stranger.getsockname()[1]

        def answer_nonsense():
            for _ in range(2):
                data, source = stranger.recvfrom(9000)
                stranger.sendto(b"pong " + data[:20], source)

        thread = threading.Thread(target=answer_nonsense)
        thread.start()
        result = udp.vxlan_port("127.0.0.1", port=port, tries=2, timeout=0.2)
        thread.join(5)
    assert (result.status, result.values["outcome"]) == ("unmet", "silent")
    assert "No answer" in result.measured


def test_the_path_mtu_on_loopback_is_at_least_the_listeners_ceiling():
    with listening() as (port, _):
        result = pmtu.vxlan_mtu("127.0.0.1", link_mtu=1500, port=port, tries=2, timeout=2)
    assert result.status == "met"
    assert result.values | {"path_mtu": 9000, "pod_mtu": 8950, "exact": False} == result.values
    assert "9000 or more" in result.measured


def test_the_pod_mtu_leaves_70_bytes_under_an_ipv6_outer_header():
    try:
        sockets, state = listener.bind("::1", [0], [])
    except listener.ListenError:
        pytest.skip("no IPv6 loopback here")
    port = sockets[0].getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(
        target=listener.serve, args=(sockets, state, 30), kwargs={"stop": stop}
    )
    thread.start()
    try:
        result = pmtu.vxlan_mtu("::1", link_mtu=1500, port=port, tries=2, timeout=2)
    finally:
        stop.set()
        thread.join(5)
    assert (result.values["path_mtu"], result.values["pod_mtu"]) == (9000, 8930)
    assert result.values["outer"] == "ipv6"


def test_a_listener_stops_by_itself_at_its_deadline():
    sockets, state = listener.bind("127.0.0.1", [0], [])
    now = [0.0]

    def clock():
        now[0] += 1.0
        return now[0]

    assert listener.serve(sockets, state, 5, clock=clock) is state
    assert all(s.fileno() == -1 for s in sockets)  # closed


def test_an_address_not_on_this_host_is_refused_by_the_listener():
    with pytest.raises(listener.ListenError) as refused:
        listener.bind("192.0.2.1", [8472], [])
    assert refused.value.code == "pf-listen-not-here"


# --- edge ports ------------------------------------------------------------------------------


def test_the_edge_ports_item_reads_as_ports_and_directions(kb):
    (item,) = [i for i in kb.checklist if i.id == "edge-ports"]
    specs = tcp.port_specs(list(item.ports))
    assert tcp.ports_of(specs, "tcp", "in") == [10250, 10255, 9100, 9445]
    assert tcp.ports_of(specs, "tcp", "out") == [10280, 10281, 10282, 10283, 10284]
    assert tcp.ports_of(specs, "udp", "out") == [4500]
    assert tcp.port_specs(["udp/8472 both ways"]) == []


def test_inbound_ports_open_and_refused_on_loopback():
    with socket.create_server(("127.0.0.1", 0)) as server:
        open_port = server.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        result = tcp.inbound("127.0.0.1", [open_port, closed], timeout=1)
    assert result.status == "unmet"
    assert result.values["tcp"] == {str(open_port): "open", str(closed): "refused"}


def test_outbound_ports_without_a_gateway_are_not_measured():
    result = tcp.outbound(None, [10280], [4500], tries=1, timeout=0.1)
    assert result.status == "unknown" and "--raven-gateway" in result.measured


# --- BGP ------------------------------------------------------------------------------------


def test_our_open_is_rfc_4271_with_capabilities():
    message = bgp.open_message(65010, "10.0.0.1")
    assert message[:16] == b"\xff" * 16
    length, kind = struct.unpack(">HB", message[16:19])
    assert (length, kind) == (len(message), bgp.OPEN)
    parsed = bgp.parse_open(bgp.split(message)[1])
    assert (parsed.version, parsed.my_as, parsed.hold_time) == (4, 65010, 90)
    assert parsed.router_id == "10.0.0.1"
    assert [c.as_json() for c in parsed.capabilities] == [
        {"code": 1, "afi": 1, "safi": 1},
        {"code": 65, "asn": 65010},
    ]


def test_a_four_byte_as_goes_as_as_trans_with_the_capability():
    parsed = bgp.parse_open(bgp.split(bgp.open_message(4200000001, "10.0.0.1"))[1])
    assert parsed.my_as == bgp.AS_TRANS and parsed.asn == 4200000001


@pytest.mark.parametrize("asn", [0, 2**32])
def test_an_as_out_of_range_is_refused(asn):
    with pytest.raises(ValueError):
        bgp.open_message(asn, "10.0.0.1")


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff" * 15, b"\xff" * 16 + struct.pack(">HB", 18, 4), b"\x00" * 16 + b"\x00\x13\x04"],
)
def test_what_is_not_a_bgp_message_is_said_to_be_so(data):
    with pytest.raises(bgp.BgpError):
        bgp.split(data)


@contextmanager
def fake_peer(script):
    """A one-connection TCP server on loopback; `script(conn, our_open)` answers."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    seen: dict = {}

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.settimeout(5)
            head = conn.recv(19, socket.MSG_WAITALL)
            length = struct.unpack(">H", head[16:18])[0]
            body = conn.recv(length - 19, socket.MSG_WAITALL)
            seen["open"] = bgp.parse_open(body)
            script(conn)
            with suppress(OSError):
                seen["after"] = conn.recv(4096)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield port, seen
    finally:
        thread.join(5)
        server.close()


PEER_OPEN = bgp.open_message(65001, "192.0.2.7", hold_time=240)


def test_a_peer_sending_open_and_keepalive_would_peer():
    with fake_peer(lambda c: c.sendall(PEER_OPEN + bgp.keepalive())) as (port, seen):
        result = bgp.bgp_vswitch(
            "127.0.0.1", local_as=64512, expected_as=65001, timeout=2, port=port
        )
    assert result.status == "met", result.measured
    assert (
        result.values | {"peer_as": 65001, "router_id": "192.0.2.7", "hold_time": 240}
        == result.values
    )
    assert seen["open"].asn == 64512 and seen["open"].router_id == "127.0.0.1"
    kind, body = bgp.split(seen["after"])  # we left with a Cease, and nothing else
    assert kind == bgp.NOTIFICATION and body[:2] == bytes([6, 2])


def test_a_peer_of_another_as_than_expected_is_unmet():
    with fake_peer(lambda c: c.sendall(PEER_OPEN + bgp.keepalive())) as (port, _):
        result = bgp.bgp_vswitch(
            "127.0.0.1", local_as=64512, expected_as=65002, timeout=2, port=port
        )
    assert result.status == "unmet" and result.values["stage"] == "other-as"
    assert "65002" in result.measured


def test_a_notification_is_said_in_words_with_a_printable_shutdown_text():
    text = b"maintenance\x1b[2J window"
    notice = bgp.notification(6, 2, bytes([len(text)]) + text)
    with fake_peer(lambda c: c.sendall(PEER_OPEN + notice)) as (port, _):
        result = bgp.bgp_vswitch(
            "127.0.0.1", local_as=64512, expected_as=None, timeout=2, port=port
        )
    assert result.status == "unmet"
    assert result.values["notification"] == {"code": 6, "subcode": 2, "text": "maintenance window"}
    assert "administrative shutdown" in result.measured and "\x1b" not in result.measured


def test_bad_peer_as_in_words():
    with fake_peer(lambda c: c.sendall(PEER_OPEN + bgp.notification(2, 2))) as (port, _):
        result = bgp.bgp_vswitch(
            "127.0.0.1", local_as=64512, expected_as=None, timeout=2, port=port
        )
    assert "OPEN message error: bad peer AS" in result.measured


@pytest.mark.parametrize(
    ("answer", "stage"),
    [
        (None, "closed"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n" + b" " * 20, "not-bgp"),
        (PEER_OPEN, "no-keepalive"),
    ],
)
def test_a_peer_that_does_not_peer_is_unmet_saying_how_far_it_got(answer, stage):
    def script(conn):
        if answer is None:
            conn.shutdown(socket.SHUT_WR)  # the connection accepted, then closed: no OPEN
        else:
            conn.sendall(answer)

    with fake_peer(script) as (port, _):
        result = bgp.bgp_vswitch(
            "127.0.0.1", local_as=64512, expected_as=None, timeout=0.5, port=port
        )
    assert (result.status, result.values["stage"]) == ("unmet", stage)


def test_nothing_on_port_179_is_a_refusal():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = bgp.bgp_vswitch("127.0.0.1", local_as=64512, expected_as=None, timeout=1, port=port)
    assert (result.status, result.values["stage"]) == ("unmet", "refused")


# --- routes ---------------------------------------------------------------------------------

IP_JSON = json.dumps(
    [
        {"type": "unicast", "dst": "default", "gateway": "10.0.0.1", "dev": "eth0"},
        {"dst": "10.0.0.0/24", "dev": "eth0", "protocol": "kernel", "prefsrc": "10.0.0.5"},
        {"dst": "10.32.5.0/24", "gateway": "10.0.0.9", "dev": "eth0", "table": "100"},
        {"type": "local", "dst": "10.0.0.5", "dev": "eth0", "table": "local"},
        {"type": "broadcast", "dst": "10.0.0.255", "dev": "eth0", "table": "local"},
        {"dst": "0.0.0.0/0", "dev": "tun0"},
    ]
)
PROC_ROUTE = (
    "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "eth1\t0005200A\t0900000A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
)


def test_ip_routes_are_read_from_every_table_without_defaults_or_broadcasts():
    found = [r.text for r in routes.parse_ip_json(IP_JSON)]
    assert found == [
        "10.0.0.0/24 dev eth0 table main",
        "10.32.5.0/24 via 10.0.0.9 dev eth0 table 100",
        "local 10.0.0.5/32 dev eth0 table local",
    ]


def test_proc_net_route_is_read_when_iproute2_is_missing():
    found = [r.text for r in routes.parse_proc_route(PROC_ROUTE)]
    assert found == [
        "10.0.0.0/24 dev eth0 table main",
        "10.32.5.0/24 via 10.0.0.9 dev eth1 table main",
    ]


def test_an_overlap_names_the_route(monkeypatch):
    monkeypatch.setattr(
        routes, "host_routes", lambda timeout: (routes.parse_ip_json(IP_JSON), "ip")
    )
    cidrs = {
        "pod-cidr": ipaddress.ip_network("10.32.0.0/16"),
        "service-cidr": ipaddress.ip_network("172.21.0.0/20"),
    }
    result = routes.cidr_overlap(cidrs)
    assert result.status == "unmet"
    assert result.values["overlaps"] == [
        {
            "key": "pod-cidr",
            "cidr": "10.32.0.0/16",
            "route": "10.32.5.0/24 via 10.0.0.9 dev eth0 table 100",
        }
    ]
    clear = routes.cidr_overlap({"pod-cidr": ipaddress.ip_network("10.64.0.0/16")})
    assert clear.status == "met" and "no overlap" in clear.measured


def test_many_overlaps_are_shortened_never_refused(monkeypatch):
    many = [{"dst": f"10.32.{i}.0/24", "dev": f"eth{i}", "table": "main"} for i in range(40)]
    table = routes.parse_ip_json(json.dumps(many))
    monkeypatch.setattr(routes, "host_routes", lambda timeout: (table, "ip"))
    result = routes.cidr_overlap({"pod-cidr": ipaddress.ip_network("10.32.0.0/16")})
    assert result.status == "unmet" and len(result.values["overlaps"]) == 20
    assert len(result.measured) <= MAX_TEXT and "and 35 more" in result.measured
    long = item(id="cidr-overlap", status="unmet", measured="x" * 2000)
    assert len(long.measured) == MAX_TEXT and long.measured.endswith("…")


def test_no_cidr_is_not_measured():
    assert routes.cidr_overlap({}).status == "unknown"
