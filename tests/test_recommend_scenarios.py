"""The seed table's scenarios, end to end through `netplugin recommend --json`."""

from __future__ import annotations

import json

import pytest

from bot.render.environment import detail


@pytest.mark.parametrize(
    ("text", "status", "plugin"),
    [
        ("location=ens nodes=500", "recommended", "terway-edge"),
        ("location=edge-device nodes=12 dispersed=yes", "recommended", "flannel"),
        ("pod-ip-access=yes", "recommended", "terway-edge"),
        ("cross-lan=yes leased-line=yes bgp=no location=idc", "recommended", "flannel"),
        ("cross-lan=yes leased-line=no l3=no", "conflict", None),
        ("", "needs_info", None),
        ("location=other-cloud", "recommended", "flannel"),
        ("location=idc priority=performance", "recommended", "terway-edge"),
        ("integrations=clb,eci", "recommended", "terway-edge"),
        ("priority=simplicity", "recommended", "flannel"),
    ],
)
def test_seed_scenarios(recommend_json, text, status, plugin):
    result = recommend_json(text)
    assert result["status"] == status
    assert result["plugin"] == plugin


def test_json_has_the_documented_shape(recommend_json):
    result = recommend_json("location=ens nodes=500")
    for key in (
        "status",
        "plugin",
        "reasons",
        "unmet",
        "checklist",
        "warnings",
        "questions",
        "plan",
        "knowledge_version",
    ):
        assert key in result
    assert result["plan"] == {"location": ["ens"], "nodes": 500}
    assert all({"id", "status", "text"} <= set(item) for item in result["checklist"])


def test_every_reason_cites_a_rule_and_a_source(recommend_json):
    result = recommend_json("location=ens nodes=500 integrations=nlb priority=performance")
    assert result["reasons"]
    for reason in result["reasons"]:
        assert reason["rule_id"]
        assert reason["sources"]
        assert set(reason["sources"]) <= set(result["sources"])


def test_pod_ip_access_rules_flannel_out_and_why_not_says_so(recommend_json):
    result = recommend_json("pod-ip-access=yes location=edge-device dispersed=yes")
    # Flannel is favoured by the edge devices and dispersion, but it cannot give pod-IP access.
    assert result["plugin"] == "terway-edge"
    why_not = result["why_not"]
    assert why_not["plugin"] == "flannel"
    assert [u["rule_id"] for u in why_not["excluded_by"]] == ["pod-ip-access-needs-underlay"]
    # Flannel was ruled out, not outweighed: what favoured it did not count.
    assert why_not["outweighed"] == []
    assert result["confidence"] == "firm"


def test_outweighed_preferences_are_reported(recommend_json):
    result = recommend_json("location=ens,edge-device nodes=30")
    # ENS +3 against edge devices +3 and small scale +2.
    assert result["plugin"] == "flannel"
    assert result["scores"] == {"terway-edge": 3, "flannel": 5}
    assert [o["rule_id"] for o in result["why_not"]["outweighed"]] == ["ens-favours-terway"]


def test_conflict_names_the_colliding_requirements_and_what_unblocks(recommend_json):
    result = recommend_json("cross-lan=yes leased-line=no l3=no")
    assert result["plugin"] is None
    unmet = {u["rule_id"]: u for u in result["unmet"]}
    assert set(unmet) == {"cross-lan-terway-needs-leased-line", "cross-lan-flannel-needs-l3"}
    assert "leased line" in unmet["cross-lan-terway-needs-leased-line"]["unblock"]
    assert "layer-3" in unmet["cross-lan-flannel-needs-l3"]["unblock"]


def test_conflict_with_pod_ip_access_suggests_dropping_it(recommend_json):
    result = recommend_json("pod-ip-access=yes cross-lan=yes bgp=no")
    assert result["status"] == "conflict"
    unblocks = " ".join(u["unblock"] for u in result["unmet"])
    assert "drop direct external access to pod IPs" in unblocks
    assert "BGP" in unblocks


def test_needs_info_returns_the_decision_questions(recommend_json, kb):
    result = recommend_json("")
    assert [q["key"] for q in result["questions"]] == kb.decision_keys
    assert result["checklist"] == []
    # Only CIDRs are not decision-relevant either.
    assert recommend_json("pod-cidr=10.0.0.0/16")["status"] == "needs_info"


def test_cidr_capacity_unmet_for_600_nodes_in_a_slash_16(recommend_json):
    result = recommend_json("nodes=600 location=edge-device pod-cidr=10.0.0.0/16")
    item = next(i for i in result["checklist"] if i["id"] == "cidr-capacity")
    assert item["status"] == "unmet"
    assert "256" in detail(item)
    assert "/14" in detail(item)  # /15 holds 512: a /14 is the first to hold 600


def test_invalid_value_exits_2_naming_the_key(cli):
    result = cli("recommend", "--json", "nodes=abc")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "`nodes`" in result.stderr
    assert "whole number" in result.stderr


def test_unknown_key_exits_2_with_the_known_keys(cli):
    result = cli("recommend", "nodez=5")
    assert result.exit_code == 2
    assert "nodez" in result.stderr
    assert "Did you mean `nodes`" in result.stderr
    assert "pod-ip-access" in result.stderr


def test_every_answer_says_the_choice_is_permanent(recommend_json):
    for text in ("", "location=ens", "cross-lan=yes leased-line=no l3=no"):
        ids = [w["id"] for w in recommend_json(text)["warnings"]]
        assert "plugin-is-permanent" in ids
        assert "cidrs-fixed-at-creation" in ids


def test_tie_falls_back_to_the_default_plugin_and_says_so(recommend_json):
    result = recommend_json("nodes=100")
    assert result["plugin"] == "flannel"
    assert result["reasons"][-1]["rule_id"] == "default-plugin-on-tie"
    # The questions that could tip it are offered.
    assert "location" in [q["key"] for q in result["questions"]]


def test_open_questions_are_only_those_that_could_change_the_outcome(recommend_json):
    result = recommend_json("pod-ip-access=yes location=ens nodes=500 leased-line=no")
    keys = [q["key"] for q in result["questions"]]
    # Crossing LANs without a leased line would rule Terway Edge out too: that matters.
    assert "cross-lan" in keys
    # Nothing about priority can beat an exclusion.
    assert "priority" not in keys


def test_recommend_is_deterministic(cli):
    first = cli("recommend", "--json", "location=ens,idc", "nodes=300", "bgp=no")
    second = cli("recommend", "--json", "location=ens,idc", "nodes=300", "bgp=no")
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["status"] in {"recommended", "conflict"}


def test_terminal_card_shows_reasons_checklist_and_warning(cli):
    result = cli("recommend", "400 ENS nodes, need NLB, pods reachable from outside, no BGP")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "Recommended: Terway Edge" in out
    assert "only Terway Edge (underlay) allows that" in out
    assert "pod-ip-access-needs-underlay" not in out  # rule ids only in --json and Explain
    assert "cannot be changed afterwards" in out
    # ENS pools give pods ENI addresses and peer with nothing: no BGP item on this card.
    assert "BGP on the edge gateway" not in out
