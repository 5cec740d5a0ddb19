"""A question about one checklist item in a card's thread is answered with that item (issue 12):
"how do I verify the MTU?" under a Flannel card gives the MTU item and how to verify it, not the
whole checklist; under a Terway Edge card it says plainly that the item is not on this
decision's checklist, why, and still how it is verified. The words are data
(knowledge/topics.yaml, bot/core/topics.py)."""

from __future__ import annotations

import json

import pytest
from test_threads import answers_in, card, reply

from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.topics import load_topics


def item(kb, item_id: str):
    return next(i for i in kb.checklist if i.id == item_id)


def ask(s, plan: str, question: str) -> tuple[str, object]:
    parent, decision = card(s, plan)
    reply(s, parent, question)
    (answer,) = answers_in(s, parent)
    return json.dumps(answer.params, ensure_ascii=False), decision


def only(kb, body: str, decision, *item_ids: str) -> None:
    """The reply speaks of these items and of no other item of the decision's checklist."""
    for i in item_ids:
        assert item(kb, i).title in body, i
    for entry in decision.result["checklist"]:
        if entry["id"] not in item_ids:
            assert entry["title"] not in body, f"{entry['id']} should not be in the reply"


def test_the_mtu_under_a_flannel_card_is_that_item_alone(s, kb) -> None:
    body, decision = ask(
        s, "location=edge-device nodes=12 dispersed=yes", "how do I verify the MTU?"
    )
    assert decision.plugin == "flannel"
    only(kb, body, decision, "vxlan-mtu")
    assert "ip link show flannel.1" in body  # how to verify it
    assert "not on the checklist" not in body


def test_the_mtu_under_a_terway_card_says_it_is_not_on_its_checklist(s, kb) -> None:
    body, decision = ask(s, "location=ens nodes=500", "how do I verify the MTU?")
    assert decision.plugin == "terway-edge"
    assert "vxlan-mtu" not in {c["id"] for c in decision.result["checklist"]}
    assert "Path MTU for VXLAN" in body and "is not on the checklist of decision" in body
    assert "for Flannel (VXLAN) only" in body
    assert "no encapsulation overhead" in body  # why: what Terway Edge is (plugins.yaml, S1)
    assert "ip link show flannel.1" in body  # and still how it is verified where it applies
    only(kb, body, decision)  # none of the Terway Edge items


@pytest.mark.parametrize(
    ("plan", "question", "items"),
    [
        ("location=idc nodes=300 bgp=yes", "BGP?", ["bgp-vswitch"]),
        ("location=idc nodes=300 bgp=yes", "how do we check the bgp peering", ["bgp-vswitch"]),
        ("location=edge-device nodes=12", "is 8472 open everywhere?", ["vxlan-port"]),
        (
            "location=edge-device nodes=12",
            "which ports must be open?",
            ["vxlan-port", "edge-ports"],
        ),
        ("location=ens nodes=500", "which ports must be open?", ["edge-ports"]),
        (
            "location=ens nodes=500 pod-cidr=10.0.0.0/16",
            "checklist for the cidr overlap",
            ["cidr-overlap"],
        ),
    ],
)
def test_a_topic_is_found_by_its_words(s, kb, plan, question, items) -> None:
    body, decision = ask(s, plan, question)
    only(kb, body, decision, *items)


def test_checklist_alone_is_still_the_whole_list(s, kb) -> None:
    body, decision = ask(s, "location=edge-device nodes=12", "checklist")
    for entry in decision.result["checklist"]:
        assert entry["title"] in body


# --- knowledge/topics.yaml -------------------------------------------------------------------


def test_every_checklist_item_has_words(kb) -> None:
    topics = load_topics(kb)
    for i in kb.checklist:
        assert i.id in topics.named(i.title), f"no phrase of topics.yaml names {i.id} ({i.title})"


def test_a_broken_topics_file_names_file_entry_and_field(knowledge_copy, cli) -> None:
    path = knowledge_copy / "topics.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace('vxlan-mtu: ["mtu"', 'vxlan-mtu: ["(mtu"'), encoding="utf-8")
    with pytest.raises(KnowledgeError) as broken:
        load_topics(load_knowledge(knowledge_copy))
    assert "topics.yaml: entry topics: field 'vxlan-mtu'" in str(broken.value)
    assert "not a valid regular expression" in str(broken.value)
    result = cli("knowledge", "check", "--dir", str(knowledge_copy))
    assert result.exit_code == 1 and "topics.yaml" in result.output

    path.write_text(original + "  no-such-item: [nothing]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"entry 'no-such-item'.*not an item of checklist"):
        load_topics(load_knowledge(knowledge_copy))

    path.unlink()  # like every knowledge file, it must be there
    with pytest.raises(KnowledgeError, match=r"topics.yaml: cannot read the file"):
        load_knowledge(knowledge_copy)
