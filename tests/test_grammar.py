"""The /netplugin grammar: key=value pairs, aliases, plain words, and errors that name the key."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import answers as any_answers

from bot.core.grammar import read_question
from bot.core.plan import plan_from_json, plan_model
from bot.render.messages import problem_text


def answers(parsed) -> dict:
    return parsed.plan.to_json()


def test_every_documented_key(kb):
    text = (
        "nodes=500 k8s-version=1.30 location=ens,idc pod-ip-access=yes integrations=clb,nlb "
        "cross-lan=no leased-line=yes bgp=yes l3=yes dispersed=no priority=performance "
        "pod-cidr=10.0.0.0/14 service-cidr=172.21.0.0/20 node-cidr=192.168.0.0/16 "
        "pods-per-node=64"
    )
    parsed = read_question(text, kb)
    assert parsed.ok, parsed.problems
    assert answers(parsed) == {
        "nodes": 500,
        "k8s-version": "1.30",
        "location": ["ens", "idc"],
        "pod-ip-access": True,
        "integrations": ["clb", "nlb"],
        "cross-lan": False,
        "leased-line": True,
        "bgp": True,
        "l3": True,
        "dispersed": False,
        "priority": "performance",
        "pod-cidr": "10.0.0.0/14",
        "service-cidr": "172.21.0.0/20",
        "node-cidr": "192.168.0.0/16",
        "pods-per-node": 64,
    }


def test_aliases_and_value_synonyms(kb):
    parsed = read_question("node-count=2,000 where=on-prem express-connect=y prio=perf", kb)
    assert parsed.ok, parsed.problems
    assert answers(parsed) == {
        "nodes": 2000,
        "location": ["idc"],
        "leased-line": True,
        "priority": "performance",
    }


def test_a_kubernetes_version_is_kept_as_its_minor_version(kb):
    for text, version in {
        "k8s-version=1.26": "1.26",
        "kubernetes=v1.30": "1.30",
        "k8s=1.30.2": "1.30",
        "kubernetes-version=1.30.1-aliyun.1": "1.30",
        "Kubernetes version = 1.31.": "1.31",
        "K8s: v1.29": "1.29",
        "kubernetes: 1.32, nodes: 40": "1.32",
    }.items():
        parsed = read_question(text, kb)
        assert parsed.ok, (text, parsed.problems)
        assert parsed.plan.values()["k8s-version"] == version, text
    # The minor version, as numbers: 1.9 comes before 1.10 and 1.05 is 1.5.
    assert read_question("k8s=1.05", kb).plan.values()["k8s-version"] == "1.5"


def test_a_stored_version_plan_round_trips_through_json(kb):
    plan = read_question("k8s=v1.30.2 nodes=40", kb).plan
    assert plan.to_json() == {"nodes": 40, "k8s-version": "1.30"}
    assert plan_from_json(kb, plan.to_json()) == plan
    assert plan.changed({"k8s-version": "1.28"}).values()["k8s-version"] == "1.28"


def test_integrations_none_is_an_answer(kb):
    parsed = read_question("integrations=none", kb)
    assert parsed.plan.values()["integrations"] == []


def test_plain_words_from_the_issue(kb):
    parsed = read_question("400 ENS nodes, need NLB, pods reachable from outside, no BGP", kb)
    assert parsed.ok
    assert answers(parsed) == {
        "nodes": 400,
        "location": ["ens"],
        "integrations": ["nlb"],
        "pod-ip-access": True,
        "bgp": False,
    }
    said = {u.key: u.said for u in parsed.understood}
    assert said["nodes"] == "400 ENS nodes"
    assert said["bgp"] == "no BGP"
    assert {u.how for u in parsed.understood} == {"words"}


def test_plain_words_do_not_mistake_pods_per_node_for_nodes(kb):
    parsed = read_question("110 pods per node on 30 nodes in our data centre", kb)
    assert answers(parsed) == {"pods-per-node": 110, "nodes": 30, "location": ["idc"]}


def test_plain_words_more(kb):
    parsed = read_question(
        "a few hundred stores with edge devices, geographically dispersed, over the internet", kb
    )
    values = parsed.plan.values()
    assert values["location"] == ["edge-device"]
    assert values["dispersed"] is True
    assert values["leased-line"] is False


def test_words_contradicting_a_pair_set_nothing_and_are_named(kb):
    parsed = read_question("we have 40 nodes nodes=12", kb)
    assert parsed.plan.values()["nodes"] is None
    (unsure,) = parsed.unsure
    assert (unsure.key, unsure.why) == ("nodes", "contradictory")
    assert "nodes=12" in unsure.said and "40 nodes" in unsure.said


def test_words_agreeing_with_a_pair_are_one_answer(kb):
    parsed = read_question("cross-lan=no, we keep each store's traffic local", kb)
    assert parsed.ok, parsed.problems
    assert answers(parsed) == {"cross-lan": False}
    assert not parsed.unsure


def test_unknown_key_names_it_suggests_and_lists_keys(kb):
    parsed = read_question("locaton=ens", kb)
    (problem,) = parsed.problems
    assert problem.kind == "unknown-key"
    text = problem_text(problem)
    assert "`locaton`" in text
    assert "Did you mean `location`" in text
    assert "pods-per-node" in text


def test_invalid_values_name_key_and_accepted_values(kb):
    cases = {
        "nodes=-5": ("nodes", "whole number from 1 to 100000"),
        "nodes=0": ("nodes", "whole number"),
        "location=mars": ("location", "ens, idc, other-cloud, edge-device, cloud"),
        "bgp=maybe": ("bgp", "yes or no"),
        "priority=speed,simple": ("priority", "performance, simplicity"),
        "pod-cidr=10.0.0.0/33": ("pod-cidr", "IPv4 CIDR"),
        "k8s-version=1.3x": ("k8s-version", "a Kubernetes version such as 1.30"),
        "kubernetes=2": ("k8s-version", "a Kubernetes version such as 1.30"),
        "k8s=banana": ("k8s-version", "a Kubernetes version such as 1.30"),
        "service-cidr=fd00::/64": ("service-cidr", "IPv4 CIDR"),
    }
    for text, (key, accepted) in cases.items():
        parsed = read_question(text, kb)
        assert len(parsed.problems) == 1, text
        message = problem_text(parsed.problems[0])
        assert f"`{key}`" in message, message
        assert accepted in message, message


def test_cidr_with_host_bits_suggests_the_network(kb):
    (problem,) = read_question("pod-cidr=10.0.0.1/16", kb).problems
    assert "Did you mean `10.0.0.0/16`" in problem_text(problem)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(kb, text):
    parsed = read_question(text, kb)
    for problem in parsed.problems:
        assert problem_text(problem)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["nodes", "location", "bgp", "pod-cidr", "zzz", "priority", "l3"]),
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
        ),
        max_size=6,
    )
)
def test_never_raises_on_any_pairs(kb, pairs):
    text = " ".join(f"{k}={v}" for k, v in pairs)
    read_question(text, kb)


def _pair_text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value) or "none"
    return str(value)


def test_round_trip_of_any_plan(kb):
    model = plan_model(kb)

    @settings(max_examples=200, deadline=None)
    @given(any_answers(kb))
    def check(data):
        plan = model.model_validate(data)
        text = " ".join(f"{k}={_pair_text(v)}" for k, v in plan.to_json().items())
        parsed = read_question(text, kb)
        assert parsed.ok, parsed.problems
        assert parsed.plan == plan

    check()
