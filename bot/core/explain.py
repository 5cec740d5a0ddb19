"""Explaining a past decision from its logged snapshot: why, why not, what if, and drift.

A decision is explained from what was logged (the plan, the full result, the knowledge version),
never from today's rules. Today's rules come in only to say whether they would now answer
differently (`drift`) and to evaluate a what-if, which is a new decision on a changed plan.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.core.engine import recommend
from bot.core.grammar import InputProblem, Understood, read_question
from bot.core.knowledge import Knowledge
from bot.core.plan import PlanBase, plan_from_json
from bot.core.reader import Unsure

Intent = Literal["why", "why-not", "what-if", "checklist", "help"]

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
WHAT_IF = re.compile(r"\b(?:what\s+if|what\s+about|suppose|if\s+we\s+(?:had|have|used?))\b", re.I)
WHY_NOT = re.compile(r"\bwhy\s+not\b(?P<rest>.*)", re.I | re.S)
PLUGIN_WORDS = {
    "terway-edge": re.compile(r"terway|underlay", re.I),
    "flannel": re.compile(r"flannel|vxlan|overlay", re.I),
}


class Reply(BaseModel):
    """What a thread message asks about a decision."""

    intent: Intent
    plugin: str | None = None  # for why-not
    text: str = ""  # for what-if: the change, in the grammar or plain words


def classify(message: str) -> Reply:
    text = MENTION.sub(" ", message or "").strip()
    m = WHAT_IF.search(text)
    if m:
        return Reply(intent="what-if", text=text[m.end() :].strip(" ?"))
    m = WHY_NOT.search(text)
    if m:
        rest = m.group("rest")
        plugin = next((p for p, rx in PLUGIN_WORDS.items() if rx.search(rest)), None)
        return Reply(intent="why-not", plugin=plugin)
    if re.search(r"\bwhy\b", text, re.I):
        return Reply(intent="why")
    if re.search(r"\bcheck\s*list\b|\bverify\b", text, re.I):
        return Reply(intent="checklist")
    if "=" in text:  # bare key=value pairs: a what-if without the words
        return Reply(intent="what-if", text=text)
    return Reply(intent="help")


class Change(BaseModel):
    key: str
    before: Any
    after: Any


class ItemChange(BaseModel):
    id: str
    title: str = ""
    before: str | None
    after: str | None


class Comparison(BaseModel):
    """How one result differs from another: outcome, reasons, checklist."""

    outcome_changed: bool
    before_status: str
    before_plugin: str | None
    after_status: str
    after_plugin: str | None
    reasons_added: list[str]  # in words (a rule's summary), compared by rule
    reasons_removed: list[str]
    checklist_changes: list[ItemChange]


def compare_results(before: dict[str, Any], after: dict[str, Any]) -> Comparison:
    def reasons(r: dict) -> dict[str, str]:
        """The result's reasons and exclusions by rule id, each in the words a user reads."""
        return {x["rule_id"]: x.get("summary") or x["text"] for x in [*r["reasons"], *r["unmet"]]}

    old, new = reasons(before), reasons(after)
    old_items = {i["id"]: i["status"] for i in before["checklist"]}
    new_items = {i["id"]: i["status"] for i in after["checklist"]}
    titles = {i["id"]: i.get("title", "") for i in [*before["checklist"], *after["checklist"]]}
    changes = [
        ItemChange(id=i, title=titles[i], before=old_items.get(i), after=new_items.get(i))
        for i in dict.fromkeys([*old_items, *new_items])
        if old_items.get(i) != new_items.get(i)
    ]
    return Comparison(
        outcome_changed=(before["status"], before["plugin"]) != (after["status"], after["plugin"]),
        before_status=before["status"],
        before_plugin=before["plugin"],
        after_status=after["status"],
        after_plugin=after["plugin"],
        reasons_added=[words for r, words in new.items() if r not in old],
        reasons_removed=[words for r, words in old.items() if r not in new],
        checklist_changes=changes,
    )


class WhatIf(BaseModel):
    ok: bool
    problems: list[InputProblem] = []
    changes: list[Change] = []
    plan: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    comparison: Comparison | None = None


class PlanChange(BaseModel):
    """The logged plan with the answers a what-if gives changed (not yet decided)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ok: bool
    problems: list[InputProblem] = []
    changes: list[Change] = []
    after: PlanBase | None = None
    understood: list[Understood] = []
    unsure: list[Unsure] = []


def plan_change(logged: dict[str, Any], text: str, kb: Knowledge) -> PlanChange:
    """The logged plan with the answers in `text` changed."""
    parsed = read_question(text, kb)
    if parsed.problems:
        return PlanChange(ok=False, problems=parsed.problems)
    asked = parsed.plan.answered()
    if not asked:
        return PlanChange(ok=False)
    before_plan = plan_from_json(kb, logged["plan"])
    after_plan = before_plan.changed(asked)
    before_values = before_plan.to_json()
    after_values = after_plan.to_json()
    changes = [
        Change(key=k, before=before_values.get(k), after=after_values.get(k))
        for k in after_values
        if before_values.get(k) != after_values.get(k)
    ]
    return PlanChange(
        ok=True,
        changes=changes,
        after=after_plan,
        understood=parsed.understood,
        unsure=parsed.unsure,
    )


def answered(logged: dict[str, Any], change: PlanChange, result: dict[str, Any]) -> WhatIf:
    """A what-if's answer: the changes, the new result, and how it compares with the logged."""
    return WhatIf(
        ok=True,
        changes=change.changes,
        plan=result["plan"],
        result=result,
        comparison=compare_results(logged, result),
    )


def what_if(logged: dict[str, Any], text: str, kb: Knowledge) -> WhatIf:
    """The logged plan with the answers in `text` changed, re-evaluated and compared."""
    change = plan_change(logged, text, kb)
    if not change.ok or change.after is None:
        return WhatIf(ok=False, problems=change.problems)
    result = recommend(change.after, kb, change.understood, change.unsure).to_json()
    return answered(logged, change, result)


class Drift(BaseModel):
    """Would today's knowledge answer the logged plan differently?"""

    then_version: str
    now_version: str
    comparison: Comparison

    @property
    def differs(self) -> bool:
        c = self.comparison
        return c.outcome_changed or bool(c.reasons_added or c.reasons_removed)


def drift(logged: dict[str, Any], kb: Knowledge) -> Drift | None:
    """None when today's knowledge is the one the decision was made with."""
    if logged["knowledge_version"] == kb.version:
        return None
    try:
        plan = plan_from_json(kb, logged["plan"])
    except ValueError:
        # The questionnaire changed so much that the old plan no longer fits it.
        return None
    today = recommend(plan, kb).to_json()
    return Drift(
        then_version=logged["knowledge_version"],
        now_version=kb.version,
        comparison=compare_results(logged, today),
    )
