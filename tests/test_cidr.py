"""CIDR planning: overlaps, per-node capacity, private ranges, ENI capacity."""

from __future__ import annotations

from ipaddress import IPv4Network as N

from bot.core import cidr
from bot.render.environment import detail


def test_capacity_follows_the_per_node_subnet():
    assert cidr.capacity(N("10.0.0.0/16"), 256).params["max_nodes"] == 256
    assert cidr.capacity(N("10.0.0.0/16"), 256).status == "met"
    assert cidr.capacity(N("10.0.0.0/16"), 257).status == "unmet"
    assert cidr.capacity(N("10.0.0.0/12"), 4096).params["max_nodes"] == 4096
    assert cidr.capacity(N("10.0.0.0/16"), 1000, per_node_prefix=26).params["max_nodes"] == 1024


def test_capacity_needs_a_cidr_and_nodes():
    assert cidr.capacity(None, 10).status == "unknown"
    assert cidr.capacity(N("10.0.0.0/16"), None).status == "unknown"


def test_capacity_flags_a_pod_cidr_smaller_than_one_node_subnet():
    finding = cidr.capacity(N("10.0.0.0/25"), 1)
    assert finding.status == "unmet"
    assert finding.code == "capacity-cidr-smaller-than-subnet"


def test_capacity_checks_pods_per_node_against_the_subnet():
    assert cidr.capacity(N("10.0.0.0/16"), 10, pods_per_node=110).status == "met"
    finding = cidr.capacity(N("10.0.0.0/16"), 10, per_node_prefix=25, pods_per_node=200)
    assert finding.status == "unmet"
    assert finding.params["needed_prefix"] == 24


def test_overlaps():
    clash = cidr.overlaps(
        {"pod-cidr": N("10.0.0.0/8"), "service-cidr": N("10.96.0.0/12"), "node-cidr": None}
    )
    assert clash.status == "unmet"
    assert clash.params["clashes"][0]["a"] == "pod-cidr"
    fine = cidr.overlaps(
        {
            "pod-cidr": N("10.0.0.0/16"),
            "service-cidr": N("172.21.0.0/20"),
            "node-cidr": N("192.168.0.0/16"),
        }
    )
    assert fine.status == "met"
    assert cidr.overlaps({"pod-cidr": N("10.0.0.0/16")}).status == "unknown"


def test_private_ranges():
    assert cidr.non_private({"pod-cidr": N("10.0.0.0/16")}) == []
    (finding,) = cidr.non_private({"service-cidr": N("100.64.0.0/16")})
    assert finding.params == {"key": "service-cidr", "cidr": "100.64.0.0/16"}


def test_eni_capacity_on_ens():
    assert cidr.eni_capacity(None).params["enis"] == 6  # 110 pods: 5 × 25 + the primary
    assert cidr.eni_capacity(25).params["enis"] == 2
    assert cidr.eni_capacity(26).params["enis"] == 3


def test_overlap_reaches_the_checklist(recommend_json):
    result = recommend_json(
        "location=ens pod-cidr=192.168.0.0/16 node-cidr=192.168.0.0/20 service-cidr=172.21.0.0/20"
    )
    item = next(i for i in result["checklist"] if i["id"] == "cidr-overlap")
    assert item["status"] == "unmet"
    assert item["finding"]["code"] == "cidr-overlap"  # a code: the words are the templates'
    assert "pod-cidr 192.168.0.0/16 overlaps node-cidr 192.168.0.0/20" in detail(item)


def test_worked_example_from_the_docs_is_clean(recommend_json):
    # IDC 172.16.0.0/16, VPC 192.168.0.0/16, edge pods 10.0.0.0/8 [S4]
    result = recommend_json("location=idc pod-cidr=10.0.0.0/8 node-cidr=192.168.0.0/16 nodes=100")
    statuses = {i["id"]: i["status"] for i in result["checklist"]}
    assert statuses["cidr-overlap"] == "met"
    assert statuses["cidr-capacity"] == "met"
