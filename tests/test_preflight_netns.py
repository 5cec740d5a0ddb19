"""`netplugin preflight` on real networks (issue 15): Linux network namespaces joined by veth
pairs, made and removed by each test (root only: skipped, saying why, elsewhere).

    a (the checker) 10.90.1.1 ── 10.90.1.254 r (a router, and a peer) 10.90.2.254 ── 10.90.2.1 b
                          MTU 1500                                         MTU 1400

`preflight listen` runs in r and b as a process of its own, `preflight check` in a; tests wait
for the listener's "listening" line and for BIRD's port, never for a length of time.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from netns import Netns, netplugin, read_line, tool
from processes import serve_env
from waiting import eventually

pytestmark = pytest.mark.slow

A, R_WEST, R_EAST, B = "10.90.1.1", "10.90.1.254", "10.90.2.254", "10.90.2.1"
FAST = ("--timeout", "0.3", "--tries", "2")


@pytest.fixture
def net():
    made = Netns.make()
    try:
        a, r, b = made.add("a"), made.add("r"), made.add("b")
        made.link(a, f"{A}/24", r, f"{R_WEST}/24")
        made.link(r, f"{R_EAST}/24", b, f"{B}/24", mtu=1400)
        made.run(r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        made.run(r, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")  # every frag-needed is sent
        made.run(a, "ip", "route", "add", "default", "via", R_WEST)
        made.run(b, "ip", "route", "add", "default", "via", R_EAST)
        made.a, made.r, made.b = a, r, b
        yield made
    finally:
        made.close()


def listen(net: Netns, ns: str, address: str, *more: str) -> subprocess.Popen:
    process = net.start(
        ns,
        netplugin(),
        "preflight",
        "listen",
        "--address",
        address,
        "--seconds",
        "60",
        *more,
        env=serve_env(),
    )
    assert read_line(process).startswith(f"listening on {address}")
    return process


def check(net: Netns, *args: str) -> tuple[int, dict]:
    done = net.run(
        net.a,
        netplugin(),
        "preflight",
        "check",
        "--json",
        *FAST,
        *args,
        check=False,
        env=serve_env(),
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def by_peer(report: dict, item: str) -> dict[str | None, dict]:
    return {r["peer"]: r for r in report["results"] if r["id"] == item}


def test_a_1400_byte_hop_is_found_and_the_plan_for_1500_is_unmet(net):
    listen(net, net.r, R_WEST, "--tcp-port", "10250", "--tcp-port", "10255")
    listen(net, net.b, B, "--tcp-port", "10250", "--tcp-port", "10255")
    code, report = check(net, "--peer", R_WEST, "--peer", B, "--link-mtu", "1500")
    mtu = by_peer(report, "vxlan-mtu")
    assert mtu[R_WEST]["status"] == "met"
    assert mtu[R_WEST]["values"] | {"path_mtu": 1500, "pod_mtu": 1450} == mtu[R_WEST]["values"]
    assert mtu[B]["status"] == "unmet", mtu[B]
    assert (mtu[B]["values"]["path_mtu"], mtu[B]["values"]["pod_mtu"]) == (1400, 1350)
    assert "1400" in mtu[B]["measured"] and "1350" in mtu[B]["measured"]
    assert mtu[B]["values"]["probes"] <= 4  # the hop's ICMP named the size: no long search
    ports = by_peer(report, "vxlan-port")
    assert {p: r["status"] for p, r in ports.items()} == {R_WEST: "met", B: "met"}
    assert ports[B]["values"]["rtt_ms"] > 0
    edge = by_peer(report, "edge-ports")
    assert edge[B]["values"]["tcp"] | {"10250": "open", "10255": "open"} == edge[B]["values"]["tcp"]
    assert code == 1  # unmet: the MTU (and the exporter ports nobody listens on)

    # planned for what the path carries, the MTU is met
    code, report = check(net, "--peer", B, "--link-mtu", "1400", "--plugin", "flannel")
    assert by_peer(report, "vxlan-mtu")[B]["status"] == "met"


def test_a_hop_that_drops_without_saying_so_is_found_by_the_search(net):
    """An ICMP black hole: the router sends no 'fragmentation needed', so only the listener's
    answers tell which sizes pass, and the binary search finds 1400 from silence alone."""
    nft = tool("nft")
    if nft is None:
        pytest.skip("nftables is not installed (Debian: nftables; .ci/run installs it)")
    rules = "table inet pf {\n chain output {\n type filter hook output priority 0;\n"
    rules += " icmp type destination-unreachable drop\n }\n}\n"
    net.run(net.r, nft, "-f", "-", input=rules)
    listen(net, net.b, B)
    done = net.run(
        net.a,
        netplugin(),
        "preflight",
        "check",
        "--json",
        "--timeout",
        "0.15",
        "--tries",
        "1",
        "--peer",
        B,
        check=False,
        env=serve_env(),
    )
    mtu = by_peer(json.loads(done.stdout), "vxlan-mtu")[B]
    assert (mtu["status"], mtu["values"]["path_mtu"], mtu["values"]["pod_mtu"]) == (
        "unmet",
        1400,
        1350,
    ), mtu
    assert mtu["values"]["exact"] is True and mtu["values"]["probes"] <= 14


def test_udp_8472_dropped_on_one_peer_is_unmet_for_that_peer_only(net):
    listen(net, net.r, R_WEST)
    listen(net, net.b, B)
    rules = "table inet pf {\n chain input {\n type filter hook input priority 0;\n"
    rules += " udp dport 8472 drop\n }\n}\n"
    nft = tool("nft")
    if nft is None:
        pytest.skip("nftables is not installed (Debian: nftables; .ci/run installs it)")
    net.run(net.b, nft, "-f", "-", input=rules)
    code, report = check(net, "--peer", R_WEST, "--peer", B)
    ports = by_peer(report, "vxlan-port")
    assert ports[R_WEST]["status"] == "met"
    assert ports[B]["status"] == "unmet"
    assert ports[B]["values"]["outcome"] == "silent"
    assert "No answer on UDP 8472" in ports[B]["measured"]
    assert by_peer(report, "vxlan-mtu")[B]["status"] == "unknown"  # nothing to measure with
    assert code == 1


def test_nothing_listening_is_a_refusal_named_as_such(net):
    code, report = check(net, "--peer", B)
    assert code == 1
    port = by_peer(report, "vxlan-port")[B]
    assert (port["status"], port["values"]["outcome"]) == ("unmet", "refused")
    assert "preflight listen" in port["measured"]


def test_a_route_overlapping_the_pod_cidr_is_named(net):
    net.run(net.a, "ip", "route", "add", "10.32.5.0/24", "via", R_WEST)
    code, report = check(net, "--pod-cidr", "10.32.0.0/16", "--service-cidr", "172.21.0.0/20")
    (result,) = report["results"]
    assert result["status"] == "unmet"
    assert result["values"]["overlaps"] == [
        {
            "key": "pod-cidr",
            "cidr": "10.32.0.0/16",
            "route": "10.32.5.0/24 via 10.90.1.254 dev v1a table main",
        }
    ]
    assert "10.32.5.0/24" in result["measured"]
    assert code == 1

    code, report = check(net, "--pod-cidr", "10.64.0.0/16", "--service-cidr", "172.21.0.0/20")
    assert [r["status"] for r in report["results"]] == ["met"] and code == 0


def bird(net: Netns, tmp_path, *, local_as: int, neighbour_as: int) -> None:
    """BIRD 2 in r, peering passively with a's address and AS; returns when port 179 listens."""
    bird_path = tool("bird")
    if bird_path is None:
        pytest.skip("BIRD is not installed (Debian: bird2; .ci/run installs it)")
    config = tmp_path / "bird.conf"
    config.write_text(
        f"router id {R_WEST};\n"
        f'log "{tmp_path / "bird.log"}" all;\n'
        "protocol device {}\n"
        "protocol bgp edge {\n"
        f"  local {R_WEST} as {local_as};\n"
        f"  neighbor {A} as {neighbour_as};\n"
        "  passive on;\n"
        "  ipv4 { import none; export none; };\n"
        "}\n"
    )
    process = net.start(
        net.r,
        bird_path,
        "-f",
        "-c",
        str(config),
        "-s",
        str(tmp_path / "bird.ctl"),
        "-P",
        str(tmp_path / "bird.pid"),
    )

    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"bird exited {process.returncode}: {process.stderr.read()}")
        return ":179" in net.run(net.r, "ss", "-Hltn", "sport = :179").stdout

    eventually(listening, timeout=10, interval=0.05, message="BIRD never listened on 179")


def test_a_bgp_speaker_that_would_peer_is_met_with_its_as(net, tmp_path):
    bird(net, tmp_path, local_as=65001, neighbour_as=64512)
    args = ("--bgp-peer", R_WEST, "--bgp-as", "65001", "--plugin", "terway-edge")
    code, report = check(net, *args, "--pod-cidr", "10.64.0.0/16")
    (result,) = by_peer(report, "bgp-vswitch").values()
    assert result["status"] == "met", result
    assert result["values"]["peer_as"] == 65001
    assert result["values"]["router_id"] == R_WEST
    assert {"code": 65, "asn": 65001} in result["values"]["capabilities"]
    assert "AS 65001" in result["measured"] and "would peer" in result["measured"]
    statuses = {(r["id"], r["status"]) for r in report["results"]}
    assert statuses == {("bgp-vswitch", "met"), ("edge-ports", "unknown"), ("cidr-overlap", "met")}
    assert code == 0  # nothing unmet (the edge ports, with no --peer, are not measured)
    assert (tmp_path / "bird.log").read_text().count("Administrative shutdown") == 1  # we left


def test_a_bgp_speaker_expecting_another_as_says_so(net, tmp_path):
    bird(net, tmp_path, local_as=65001, neighbour_as=64999)
    code, report = check(net, "--bgp-peer", R_WEST, "--local-as", "64512")
    (result,) = report["results"]
    assert result["status"] == "unmet"
    assert result["values"]["notification"]["code"] == 2  # OPEN message error
    assert result["values"]["notification"]["subcode"] == 2  # bad peer AS
    assert "bad peer AS" in result["measured"]
    assert code == 1


def test_no_bgp_speaker_is_unmet(net):
    code, report = check(net, "--bgp-peer", B)
    (result,) = report["results"]
    assert result["status"] == "unmet" and result["values"]["stage"] == "refused"
    assert code == 1
