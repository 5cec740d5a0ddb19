"""Explaining past decisions: what a thread reply asks, what-ifs, and drift of the knowledge."""

from __future__ import annotations

import pytest

from bot.core.engine import recommend
from bot.core.explain import classify, drift, what_if
from bot.core.grammar import read_question
from bot.core.knowledge import load_knowledge


def logged(kb, text):
    parsed = read_question(text, kb)
    return recommend(parsed.plan, kb, parsed.understood).to_json()


@pytest.mark.parametrize(
    ("message", "intent", "plugin"),
    [
        ("why?", "why", None),
        ("<@U0BOT> why did you pick this", "why", None),
        ("why not flannel?", "why-not", "flannel"),
        ("Why not Terway Edge", "why-not", "terway-edge"),
        ("why not vxlan", "why-not", "flannel"),
        ("what if bgp=yes", "what-if", None),
        ("What if we had 2000 nodes?", "what-if", None),
        ("nodes=30", "what-if", None),
        ("checklist please", "checklist", None),
        ("thanks!", "help", None),
    ],
)
def test_classify(message, intent, plugin):
    reply = classify(message)
    assert reply.intent == intent
    assert reply.plugin == plugin


def test_what_if_changes_one_answer_and_compares(kb):
    before = logged(kb, "location=ens nodes=500")
    answer = what_if(before, classify("what if cross-lan=yes leased-line=no").text, kb)
    assert answer.ok
    assert {c.key: (c.before, c.after) for c in answer.changes} == {
        "cross-lan": (None, True),
        "leased-line": (None, False),
    }
    assert answer.plan == {
        "location": ["ens"],
        "nodes": 500,
        "cross-lan": True,
        "leased-line": False,
    }
    assert answer.comparison.outcome_changed
    assert answer.comparison.after_plugin == "flannel"
    leased = next(r for r in kb.rules if r.id == "cross-lan-terway-needs-leased-line")
    assert leased.summary in answer.comparison.reasons_added  # in words, never a rule id


def test_what_if_in_plain_words(kb):
    before = logged(kb, "location=edge-device dispersed=yes")
    answer = what_if(before, classify("what if we had 2000 nodes").text, kb)
    assert [(c.key, c.after) for c in answer.changes] == [("nodes", 2000)]
    assert not answer.comparison.outcome_changed
    large = next(r for r in kb.rules if r.id == "large-scale-favours-terway")
    assert large.summary not in answer.comparison.reasons_added  # flannel still


def test_what_if_with_a_bad_value_reports_the_problem(kb):
    answer = what_if(logged(kb, "nodes=5"), "nodes=lots", kb)
    assert not answer.ok
    assert answer.problems[0].key == "nodes"


def test_drift_only_when_the_knowledge_changed(kb, knowledge_copy):
    before = logged(kb, "location=ens,edge-device nodes=30")
    assert before["plugin"] == "flannel"
    assert drift(before, kb) is None
    rules = knowledge_copy / "rules.yaml"
    text = rules.read_text()
    # A team decides ENS weighs more: the same plan would now get Terway Edge.
    rules.write_text(
        text.replace(
            "    favours: terway-edge\n    weight: 3\n",
            "    favours: terway-edge\n    weight: 9\n",
            1,
        )
    )
    today = load_knowledge(knowledge_copy)
    assert today.version != kb.version
    changed = drift(before, today)
    assert changed.differs
    assert changed.comparison.outcome_changed
    assert changed.comparison.after_plugin == "terway-edge"
