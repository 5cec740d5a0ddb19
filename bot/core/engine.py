"""The plan → recommendation engine: a pure, deterministic function of (plan, knowledge).

    result = recommend(plan, kb)

1. Nothing decision-relevant answered → `needs_info` with the questions.
2. Exclusions: a stated requirement a plugin cannot meet rules it out. Both out → `conflict`,
   naming the colliding requirements and what would unblock each.
3. Otherwise the weighted preferences decide; a tie falls back to the tie-break rule. The
   recommendation is firm or leaning by the rule in rules.yaml (`confidence`).
Every reason carries its rule id and sources; the result also says why not the other plugin,
evaluates that plugin's connectivity checklist and lists the warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import cidr, limits
from bot.core.conditions import version_key
from bot.core.knowledge import (
    PLACEHOLDER,
    PLUGIN_IDS,
    ChecklistItem,
    Knowledge,
    Rule,
    source_order,
)
from bot.core.plan import PlanBase
from bot.core.result import (
    ChecklistEntry,
    Finding,
    Message,
    OpenQuestion,
    Reason,
    Result,
    Unmet,
    Warning,
    WhyNot,
    answer_words,
)


def _other(plugin: str) -> str:
    return PLUGIN_IDS[1] if plugin == PLUGIN_IDS[0] else PLUGIN_IDS[0]


def _fill(text: str, values: Mapping[str, Any]) -> str:
    """A rule's words with the plan's answers in place of `{key}` ("Kubernetes {k8s-version}
    …"): the knowledge loader checks every placeholder names a question."""
    return PLACEHOLDER.sub(lambda m: answer_words(values.get(m.group(1), m.group(0))), text)


def _unmet(rule: Rule, values: Mapping[str, Any]) -> Unmet:
    return Unmet(
        rule_id=rule.id,
        excludes=rule.excludes or "",
        requirement=_fill(rule.requirement or "", values),
        summary=_fill(rule.summary, values),
        text=_fill(rule.text, values),
        unblock=rule.unblock or "",
        sources=rule.sources,
    )


def _reason(rule: Rule, plugin: str, values: Mapping[str, Any]) -> Reason:
    return Reason(
        rule_id=rule.id,
        kind=rule.kind,
        plugin=plugin,
        weight=rule.weight,
        summary=_fill(rule.summary, values),
        text=_fill(rule.text, values),
        sources=rule.sources,
        rows=rule.rows,
    )


class _Decision:
    """The choice alone (no checklist, no text): cheap enough to re-run for what-could-change."""

    __slots__ = ("confidence", "excluded", "favour", "plugin", "scores", "status", "tie")

    def __init__(self, values: Mapping[str, Any], kb: Knowledge):
        self.excluded: dict[str, list[Rule]] = {p: [] for p in PLUGIN_IDS}
        self.favour: dict[str, list[Rule]] = {p: [] for p in PLUGIN_IDS}
        for rule in kb.exclusions:
            if rule.when.holds(values):  # type: ignore[union-attr]
                self.excluded[rule.excludes].append(rule)  # type: ignore[index]
        for rule in kb.preferences:
            if rule.when.holds(values):  # type: ignore[union-attr]
                self.favour[rule.favours].append(rule)  # type: ignore[index]
        self.scores = {p: sum(r.weight for r in self.favour[p]) for p in PLUGIN_IDS}
        self.tie = False
        open_plugins = [p for p in PLUGIN_IDS if not self.excluded[p]]
        if not any(values.get(k) is not None for k in kb.decision_keys):
            self.status, self.plugin = "needs_info", None
        elif not open_plugins:
            self.status, self.plugin = "conflict", None
        elif len(open_plugins) == 1:
            self.status, self.plugin = "recommended", open_plugins[0]
        else:
            self.status = "recommended"
            a, b = PLUGIN_IDS
            if self.scores[a] == self.scores[b]:
                self.tie = True
                self.plugin = kb.tie_break.favours
            else:
                self.plugin = a if self.scores[a] > self.scores[b] else b
        self.confidence = self._confidence(kb) if self.status == "recommended" else None

    def _confidence(self, kb: Knowledge) -> str:
        other = _other(self.plugin)  # type: ignore[arg-type]
        if self.excluded[other]:
            return "firm"
        margin = self.scores[self.plugin] - self.scores[other]  # type: ignore[index]
        return "firm" if margin >= kb.confidence.firm_margin else "leaning"

    def outcome(self) -> tuple[str, str | None]:
        return self.status, self.plugin


def _candidate_answers(kb: Knowledge, key: str) -> list[Any]:
    q = kb.question(key)
    if q.type == "bool":
        return [True, False]
    if q.type == "choice":
        return q.choice_values()
    if q.type == "multi":
        return [[c] for c in q.choice_values() if c != q.none_value]
    if q.type in ("int", "version"):
        found: set[Any] = set()
        for rule in kb.rules:
            if rule.when is not None:
                found |= rule.when.thresholds(key)
        if q.type == "version":
            return sorted(found, key=version_key)
        return sorted(v for v in found if v >= (q.min or 0))
    return []


def _open_questions(values: Mapping[str, Any], kb: Knowledge, decision: _Decision) -> list:
    """Unanswered decision questions, marking those whose answer could change the outcome and
    those whose answer would make a leaning recommendation firm."""
    found: list[OpenQuestion] = []
    now = decision.outcome()
    for key in kb.decision_keys:
        if values.get(key) is not None:
            continue
        q = kb.question(key)
        could_change = settles = False
        if decision.status != "needs_info":
            for answer in _candidate_answers(kb, key):
                then = _Decision({**values, key: answer}, kb)
                could_change = could_change or then.outcome() != now
                settles = settles or (
                    decision.confidence == "leaning" and then.confidence == "firm"
                )
        found.append(
            OpenQuestion(
                key=key,
                label=q.label,
                help=q.help,
                accepted=q.accepted(),
                could_change=could_change,
                settles=settles,
            )
        )
    if decision.status == "needs_info":
        return found
    return [q for q in found if q.could_change or q.settles]


def _computed(item: ChecklistItem, values: Mapping[str, Any]) -> Finding:
    if item.computed == "node-quota":
        return limits.node_quota(values.get("nodes"), item.params)
    if item.computed == "k8s-version":
        return limits.k8s_version(values.get("k8s-version"), item.params)
    if item.computed == "cidr-overlap":
        return cidr.overlaps({k: values.get(k) for k in cidr.CIDR_KEYS})
    if item.computed == "cidr-capacity":
        return cidr.capacity(
            values.get("pod-cidr"),
            values.get("nodes"),
            values.get("per-node-mask"),
            values.get("pods-per-node"),
        )
    return cidr.eni_capacity(values.get("pods-per-node"))


def evaluate_checklist(
    values: Mapping[str, Any], kb: Knowledge, plugins: list[str]
) -> list[ChecklistEntry]:
    """The checklist items that concern these plugins and apply to this plan, with status."""
    entries: list[ChecklistEntry] = []
    for item in kb.checklist:
        if not set(item.plugins) & set(plugins):
            continue
        if item.applies_when is not None and not item.applies_when.holds(values):
            continue
        found: Message | None = None
        if item.computed:
            finding = _computed(item, values)
            status, found = finding.status, Message(code=finding.code, params=finding.params)
        elif item.unmet_when is not None and item.unmet_when.holds(values):
            status = "unmet"
        elif item.met_when is not None and item.met_when.holds(values):
            status = "met"
        else:
            status = "unknown"
        entries.append(
            ChecklistEntry(
                id=item.id,
                title=item.title,
                plugins=list(item.plugins),
                status=status,
                if_unmet=item.if_unmet,
                text=item.requires,
                finding=found,
                verify=item.verify,
                ports=item.ports,
                sources=item.sources,
            )
        )
    return entries


def _warnings(values: Mapping[str, Any], kb: Knowledge, plugin: str | None) -> list[Warning]:
    with_plugin = {**values, "recommended": plugin}
    found = [
        Warning(id=w.id, text=w.text, card=w.card, sources=w.sources)
        for w in kb.warnings
        if w.always or w.when.holds(with_plugin)  # type: ignore[union-attr]
    ]
    for finding in cidr.non_private({k: values.get(k) for k in cidr.CIDR_KEYS}):
        found.append(
            Warning(
                id="cidr-not-private",
                finding=Message(code=finding.code, params=finding.params),
                card=True,
                sources=["S31"],
            )
        )
    return found


def recommend(
    plan: PlanBase, kb: Knowledge, understood: list | None = None, unsure: list | None = None
) -> Result:
    """The advice for `plan`; `understood` and `unsure` (what the reader made of the user's
    words, bot.core.grammar) travel with it so every answer can say what was read."""
    values = plan.values()
    decision = _Decision(values, kb)
    plugin = decision.plugin
    reasons: list[Reason] = []
    why_not: WhyNot | None = None
    unmet: list[Unmet] = []

    if decision.status == "conflict":
        unmet = [_unmet(r, values) for p in PLUGIN_IDS for r in decision.excluded[p]]
        checklist = evaluate_checklist(values, kb, list(PLUGIN_IDS))
    elif decision.status == "recommended":
        assert plugin is not None
        other = _other(plugin)
        reasons = [
            *(_reason(r, plugin, values) for r in decision.excluded[other]),
            *sorted(
                (_reason(r, plugin, values) for r in decision.favour[plugin]),
                key=lambda r: -r.weight,
            ),
        ]
        if decision.tie:
            reasons.append(_reason(kb.tie_break, plugin, values))
        ruled_out = decision.excluded[other]
        in_favour = [_reason(r, other, values) for r in decision.favour[other]]
        why_not = WhyNot(
            plugin=other,
            excluded_by=[_unmet(r, values) for r in ruled_out],
            # a ruled-out plugin was not outweighed: what favoured it did not count
            outweighed=[] if ruled_out else in_favour,
            score=decision.scores[other],
            winner_score=decision.scores[plugin],
        )
        checklist = evaluate_checklist(values, kb, [plugin])
    else:
        checklist = []

    cited: set[str] = set()
    warnings = _warnings(values, kb, plugin)
    for group in (reasons, unmet, checklist, warnings):
        for entry in group:
            cited.update(entry.sources)
    if why_not:
        for entry in [*why_not.excluded_by, *why_not.outweighed]:
            cited.update(entry.sources)
    return Result(
        status=decision.status,
        plugin=plugin,
        plugin_name=kb.plugin(plugin).name if plugin else None,
        confidence=decision.confidence,
        weighing={
            "lightest": min(r.weight for r in kb.preferences),
            "heaviest": max(r.weight for r in kb.preferences),
            "firm_margin": kb.confidence.firm_margin,
        },
        reasons=reasons,
        why_not=why_not,
        unmet=unmet,
        checklist=checklist,
        warnings=warnings,
        questions=_open_questions(values, kb, decision),
        scores=decision.scores,
        plan=plan.to_json(),
        understood=[u.model_dump(mode="json") for u in understood or []],
        unsure=[u.model_dump(mode="json") for u in unsure or []],
        sources={s: kb.sources[s].model_dump(mode="json") for s in sorted(cited, key=source_order)},
        knowledge_version=kb.version,
    )
