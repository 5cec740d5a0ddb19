"""What the engine returns: a pydantic data object first, rendered later by templates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["recommended", "conflict", "needs_info"]
ItemStatus = Literal["met", "unmet", "unknown"]
# Firm: the other plugin is ruled out, or the reasons clearly outweigh it; leaning: less than
# that (knowledge/rules.yaml, `confidence`). Only a recommendation has one.
Confidence = Literal["firm", "leaning"]


def answer_words(value: Any) -> str:
    """A plan answer as people write it: yes/no, comma-separated lists ("none" for an empty one)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class Message(_Frozen):
    """Words the engine has to say, as a code and its numbers: templates/messages.yaml says them
    (bot.render), so the core never holds a sentence of its own."""

    code: str
    params: dict[str, Any] = {}


class Finding(_Frozen):
    """What a computed checklist item found in the plan's numbers: a status, and the message
    (a code and its numbers) that says it."""

    code: str
    status: ItemStatus
    params: dict[str, Any] = {}


class Reason(_Frozen):
    rule_id: str
    kind: Literal["exclusion", "preference", "tie-break"]
    plugin: str  # the plugin the rule favours, or excludes
    weight: int = 0
    summary: str = ""  # one line for the card (empty in decisions logged before summaries)
    text: str
    sources: list[str]
    rows: list[str] = []


class Unmet(_Frozen):
    """A stated requirement that rules a plugin out, and what would lift it."""

    rule_id: str
    excludes: str
    requirement: str
    summary: str = ""
    text: str
    unblock: str
    sources: list[str]


class WhyNot(_Frozen):
    plugin: str
    excluded_by: list[Unmet]
    outweighed: list[Reason]  # what favoured it, and lost (empty when it is ruled out)
    score: int
    winner_score: int


class ChecklistEntry(_Frozen):
    id: str
    title: str = ""  # a few words naming the item (empty in decisions logged before titles)
    plugins: list[str]
    status: ItemStatus
    # What an unmet item means: it rules its plugin out, or it is to put right before creation.
    if_unmet: Literal["blocks", "fix-before-creation"] = "fix-before-creation"
    text: str
    finding: Message | None = None  # what the plan's numbers show (CIDR overlaps, capacity …)
    detail: str = ""  # the finding in words, in decisions logged before findings were codes
    verify: list[str] = []
    ports: list[str] = []
    sources: list[str]


class Warning(_Frozen):
    id: str
    text: str = ""  # from rules.yaml; a computed warning has a `finding` instead
    finding: Message | None = None
    card: bool = False  # on the short card, not only in Explain
    sources: list[str]


class OpenQuestion(_Frozen):
    key: str
    label: str
    help: str
    accepted: str
    could_change: bool = False  # some answer to it would change the outcome
    settles: bool = False  # some answer to it would make the recommendation firm


class Result(_Frozen):
    status: Status
    plugin: str | None
    plugin_name: str | None
    confidence: Confidence | None = None
    # The scale the scores are on: lightest and heaviest preference, the lead that is firm.
    weighing: dict[str, int] = {}
    reasons: list[Reason]
    why_not: WhyNot | None
    unmet: list[Unmet]
    checklist: list[ChecklistEntry]
    warnings: list[Warning]
    questions: list[OpenQuestion]
    scores: dict[str, int]
    plan: dict[str, Any]
    understood: list[dict[str, Any]] = []
    unsure: list[dict[str, Any]] = []  # words that settled nothing: hedged, asked, contradictory …
    sources: dict[str, dict[str, Any]]
    knowledge_version: str

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
