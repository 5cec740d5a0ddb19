"""Replies in a card's thread speak in words (issue 12): no rule id (`idc-favours-terway`) in
why, why not or what-if; a what-if names its new reasons by what they say; sources are cited in
numeric order (S2 before S10)."""

from __future__ import annotations

import json
import re

import pytest
from test_threads import answers_in, card, reply

CITED = re.compile(r"(?:<[^|<>]+\|S\d+>\s*)+")


def reply_text(s, parent, text: str) -> str:
    s.fake.reset()
    reply(s, parent, text)
    (answer,) = answers_in(s, parent)
    return json.dumps(answer.params, ensure_ascii=False)


def rule_ids(kb) -> set[str]:
    return {r.id for r in kb.rules} | {w.id for w in kb.warnings}


@pytest.mark.parametrize(
    ("plan", "asked"),
    [
        ("location=idc nodes=300 bgp=yes", "why?"),
        ("location=idc nodes=300 bgp=yes", "why not flannel?"),
        ("location=ens nodes=500 pod-ip-access=yes", "why not flannel?"),
        ("location=edge-device nodes=12 dispersed=yes", "why not terway?"),
        ("location=ens nodes=500", "what if cross-lan=yes leased-line=no"),
        ("location=edge-device nodes=12 dispersed=yes", "what if we had 2000 nodes"),
        ("cross-lan=yes leased-line=no l3=no", "why?"),  # a conflict
    ],
)
def test_no_rule_id_in_a_thread_reply(s, kb, plan: str, asked: str) -> None:
    parent, _ = card(s, plan)
    body = reply_text(s, parent, asked)
    leaked = sorted(
        i for i in rule_ids(kb) if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", body)
    )
    assert not leaked, f"{asked!r} under {plan!r} names rules by id: {leaked}"
    for run in CITED.findall(body):
        numbers = [int(n) for n in re.findall(r"\|S(\d+)>", run)]
        assert numbers == sorted(numbers), f"sources out of order: {run}"


def test_a_what_if_names_its_new_reasons_in_words(s, kb) -> None:
    parent, _ = card(s, "location=ens nodes=500")
    body = reply_text(s, parent, "what if cross-lan=yes leased-line=no")
    rule = next(r for r in kb.rules if r.id == "cross-lan-terway-needs-leased-line")
    assert "cross-lan-terway-needs-leased-line" not in body
    assert "New reasons" in body
    said = json.dumps(rule.summary or rule.text, ensure_ascii=False)[1:-1]
    assert said in body
