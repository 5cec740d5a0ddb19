"""The card tells the truth at a glance (issue 12): firm or leaning, what is wrong and whether
it blocks, nothing contradicting itself, one screen, words a user reads.

The screen budget: a typical card, its user's own words (Asked, Understood) aside, takes at most
SCREEN_LINES lines of SCREEN_COLUMNS characters, counting the header and the row of buttons; a
Slack message pane on a laptop shows about 35 such lines.
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from hypothesis import given, settings
from strategies import answers

from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.core.knowledge import default_knowledge, source_order
from bot.core.plan import plan_model
from bot.render.environment import detail
from bot.slack import render

KB = default_knowledge()
NAMES = {p.id: p.name for p in KB.plugins}
SCREEN_COLUMNS = 80
SCREEN_LINES = 30
RULE_IDS = {r.id for r in KB.rules} | {w.id for w in KB.warnings}

# The seed table's scenarios (tests/test_recommend_scenarios.py, bench/recommend.py) and the
# plans this issue names.
SEED_PLANS = [
    "location=ens nodes=500",
    "location=edge-device nodes=12 dispersed=yes",
    "pod-ip-access=yes",
    "cross-lan=yes leased-line=yes bgp=no location=idc",
    "cross-lan=yes leased-line=no l3=no",
    "",
    "location=other-cloud",
    "location=idc priority=performance",
    "integrations=clb,eci",
    "priority=simplicity",
    "nodes=600 location=edge-device pod-cidr=10.0.0.0/16",
    "pod-cidr=10.0.0.0/16 service-cidr=10.0.128.0/20 nodes=300 location=idc bgp=yes",
    "location=ens nodes=400 integrations=nlb pod-ip-access=yes bgp=no",
    "cross-lan=yes l3=yes location=edge-device",
    "k8s-version=1.26 location=ens",
    "nodes=500 location=ens",
]


def advise(text: str) -> dict:
    asked = read_question(text, KB)
    assert not asked.problems, asked.problems
    return recommend(asked.plan, KB, asked.understood, asked.unsure).to_json()


def card_of(result: dict, asked: str = "") -> dict:
    return render.card(result, decision_id=7, plugin_names=NAMES, asked=asked)


def shown(message: dict, *, users_words: bool = True) -> list[str]:
    """The card's text as people see it: links by their labels, one entry per block."""
    texts = []
    for block in message["blocks"]:
        if block["type"] in ("header", "section"):
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            text = " ".join(e["text"] for e in block["elements"])
            if users_words or not text.startswith(("Asked", "*Understood", "*Not taken")):
                texts.append(text)
        elif block["type"] == "actions":
            texts.append(" ".join(e["text"]["text"] for e in block["elements"]))
    return [re.sub(r"<[^|>]+\|([^>]+)>", r"\1", t) for t in texts]


def screen_lines(message: dict) -> int:
    lines = 0
    for text in shown(message, users_words=False):
        for line in text.split("\n"):
            lines += max(1, len(textwrap.wrap(line, SCREEN_COLUMNS)))
    return lines


# --- firm or leaning ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("nodes=5", "leaning"),
        ("bgp=yes", "leaning"),
        ("location=ens nodes=500 integrations=nlb", "firm"),
        ("pod-ip-access=yes", "firm"),
    ],
)
def test_json_says_how_sure_the_recommendation_is(recommend_json, text, confidence):
    result = recommend_json(text)
    assert result["status"] == "recommended"
    assert result["confidence"] == confidence


def test_a_tie_is_leaning_and_the_card_leads_with_what_would_settle_it():
    result = advise("bgp=yes")
    assert result["confidence"] == "leaning"
    message = card_of(result)
    header = message["blocks"][0]["text"]["text"]
    assert header == "Leaning Flannel (VXLAN): not enough to decide"
    assert message["text"].startswith("Leaning Flannel (VXLAN)")
    settle = message["blocks"][1]["text"]["text"]
    assert settle.startswith("*To decide, tell me*")
    settling = [q for q in result["questions"] if q["settles"]]
    assert settling, "some answer must be able to make it firm"
    for q in settling[:2]:
        assert f"`{q['key']}`" in settle
    # each of them really would make the advice firm
    for q in settling[:2]:
        firmer = [
            advise(f"bgp=yes {q['key']}={answer}")["confidence"]
            for answer in ("yes", "no", "ens", "idc", "edge-device", "nlb", "1.26")
            if not read_question(f"{q['key']}={answer}", KB).problems
        ]
        assert "firm" in firmer


def test_conflict_and_needs_info_have_no_confidence(recommend_json):
    assert recommend_json("cross-lan=yes leased-line=no l3=no")["confidence"] is None
    assert recommend_json("")["confidence"] is None


def test_the_confidence_rule_is_written_in_the_knowledge():
    assert KB.confidence.firm_margin >= 1
    assert KB.confidence.sources == ["policy"]
    # a margin of one weak preference cannot be firm
    weak = max(r.weight for r in KB.preferences if r.weight <= 2)
    assert weak < KB.confidence.firm_margin


# --- findings on the card -----------------------------------------------------------------------


def test_an_unmet_item_shows_its_finding_and_what_it_weighs():
    text = "pod-cidr=10.0.0.0/16 service-cidr=10.0.128.0/20 nodes=300 location=idc bgp=yes"
    card = "\n".join(shown(card_of(advise(text))))
    fix = card.split("*Fix before you create the cluster*")[1]
    assert "pod-cidr 10.0.0.0/16 overlaps service-cidr 10.0.128.0/20" in fix
    assert "holds 256 nodes, fewer than the 300 planned; use a /15 or larger" in fix
    assert "Quota Center" in fix


def test_what_must_hold_for_the_plugin_is_named_with_its_consequence():
    result = advise("cross-lan=yes location=idc nodes=300")
    assert result["plugin"] == "terway-edge"
    card = "\n".join(shown(card_of(result)))
    must = card.split("*Must hold for Terway Edge*")[1].split("\n*")[0]
    assert "Leased line to the VPC" in must and "BGP on the edge gateway" in must
    assert "Terway Edge is ruled out" in must


def test_an_ens_plan_shows_no_bgp_item():
    result = advise("location=ens nodes=400 integrations=nlb pod-ip-access=yes bgp=no")
    assert "bgp-vswitch" not in {c["id"] for c in result["checklist"]}
    assert "BGP on the edge gateway" not in json.dumps(card_of(result))


def test_hosts_that_reach_each_other_get_no_warning_that_sites_cannot_talk():
    result = advise("cross-lan=yes l3=yes location=edge-device")
    assert result["plugin"] == "flannel"
    assert "flannel-no-cross-domain-over-internet" not in {w["id"] for w in result["warnings"]}
    everything = json.dumps(render.explanation(result, plugin_names=NAMES))
    assert "cannot talk" not in everything


def test_a_plan_past_the_node_quota_must_raise_it_before_creation():
    result = advise("nodes=500 location=ens")
    quota = next(c for c in result["checklist"] if c["id"] == "node-quota")
    assert quota["status"] == "unmet"
    assert quota["if_unmet"] == "fix-before-creation"
    assert quota["sources"] == ["S50"]
    card = "\n".join(shown(card_of(result)))
    assert "❌ *Node quota*: 500 nodes planned" in card
    assert "raise it in Quota Center" in card
    assert advise("nodes=100 location=ens")["checklist"][-1]["status"] == "met"


def test_an_old_kubernetes_version_rules_terway_edge_out_naming_it():
    result = advise("k8s-version=1.26 location=ens")
    assert result["plugin"] == "flannel" and result["confidence"] == "firm"
    (ruled_out,) = result["why_not"]["excluded_by"]
    assert ruled_out["sources"] == ["S5"]
    card = "\n".join(shown(card_of(result)))
    assert "Terway Edge is ruled out: Kubernetes 1.26, older than 1.28." in card
    terway = advise("k8s-version=1.30 location=ens")
    item = next(c for c in terway["checklist"] if c["id"] == "k8s-version")
    assert item["status"] == "met"
    assert detail(item) == (
        "Kubernetes 1.30 runs Terway Edge v1.8 and v1.9 to v1.13; "
        "releases after v1.13: 1.32 or later."
    )
    # on 1.30 the cluster must climb one minor version at a time to reach later releases
    assert "k8s-upgrades-one-minor-at-a-time" in {w["id"] for w in terway["warnings"]}
    latest = advise("k8s-version=1.33 location=ens")
    assert "k8s-upgrades-one-minor-at-a-time" not in {w["id"] for w in latest["warnings"]}


def test_a_ruled_out_plugin_is_not_outweighed():
    result = advise("pod-ip-access=yes location=edge-device dispersed=yes")
    assert result["why_not"]["excluded_by"]
    assert result["why_not"]["outweighed"] == []
    everything = json.dumps([card_of(result), render.explanation(result, plugin_names=NAMES)])
    assert "outweighed" not in everything.lower()


# --- one screen, words a user reads -------------------------------------------------------------


@pytest.mark.parametrize("text", SEED_PLANS)
def test_every_seed_card_fits_the_screen_budget_in_words_a_user_reads(text):
    result = advise(text)
    message = card_of(result, asked=text)
    unfitted = render.render_json(
        "slack/card.json.j2",
        **render._context(
            result,
            decision_id=7,
            plugin_names=NAMES,
            asked=text,
            asker=None,
            life={"state": "proposed"},
            adopter=None,
        ),
    )
    assert message["blocks"] == unfitted["blocks"], "nothing on the card was cut to fit"
    lines = screen_lines(message)
    assert lines <= SCREEN_LINES, f"{lines} lines"
    words = "\n".join(shown(message))
    assert "…" not in words.replace("_…and", ""), "no text ends mid-way"
    for rule_id in RULE_IDS:
        assert rule_id not in words
    for run in re.findall(r"(?:\[?S\d+\]? ?){2,}", words):
        tags = re.findall(r"S\d+", run)
        assert tags == sorted(tags, key=source_order), run


def test_sources_are_in_numeric_order_everywhere():
    for entry in [*KB.rules, *KB.warnings, *KB.checklist]:
        assert entry.sources == sorted(entry.sources, key=source_order), entry.id
    result = advise("pod-cidr=10.0.0.0/16 nodes=300 location=edge-device")
    assert list(result["sources"]) == sorted(result["sources"], key=source_order)


def test_explain_keeps_rule_ids_to_its_small_print():
    result = advise("location=ens nodes=500")
    blocks = render.explanation(result, plugin_names=NAMES)["blocks"]
    *body, small_print = blocks
    assert "ens-favours-terway" not in json.dumps(body)
    assert "ens-favours-terway" in json.dumps(small_print)


# --- nothing contradicts itself, for any plan -----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(answers(KB).map(plan_model(KB).model_validate))
def test_no_card_contradicts_itself(plan):
    result = recommend(plan, KB)
    met = {c.id for c in result.checklist if c.status == "met"}
    for warning in result.warnings:
        rule = next((w for w in KB.warnings if w.id == warning.id), None)
        denied = set(rule.contradicts if rule else []) & met
        assert not denied, f"{warning.id} denies met {denied}"
    if result.status == "recommended":
        assert not [
            c.id for c in result.checklist if c.status == "unmet" and c.if_unmet == "blocks"
        ], "the card never recommends a plugin it says is blocked"
        if result.why_not.excluded_by:
            assert result.why_not.outweighed == []
        if result.confidence == "firm" and not result.why_not.excluded_by:
            assert result.why_not.winner_score - result.why_not.score >= KB.confidence.firm_margin
    data = result.to_json()
    text = json.dumps(card_of(data))
    if result.why_not and result.why_not.excluded_by:
        assert "outweighed" not in text.lower()
