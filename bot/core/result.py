"""What the engine returns: a pydantic data object first, rendered later by templates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["recommended", "conflict", "needs_info"]
ItemStatus = Literal["met", "unmet", "unknown"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Message(_Frozen):
    """Words the engine has to say, as a code and its numbers: templates/messages.yaml says them
    (bot.render), so the core never holds a sentence of its own."""

    code: str
    params: dict[str, Any] = {}


class Reason(_Frozen):
    rule_id: str
    kind: Literal["exclusion", "preference", "tie-break"]
    plugin: str  # the plugin the rule favours, or excludes
    weight: int = 0
    text: str
    sources: list[str]
    rows: list[str] = []


class Unmet(_Frozen):
    """A stated requirement that rules a plugin out, and what would lift it."""

    rule_id: str
    excludes: str
    requirement: str
    text: str
    unblock: str
    sources: list[str]


class WhyNot(_Frozen):
    plugin: str
    excluded_by: list[Unmet]
    outweighed: list[Reason]  # what favoured it, and lost
    score: int
    winner_score: int


class ChecklistEntry(_Frozen):
    id: str
    plugins: list[str]
    status: ItemStatus
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
    sources: list[str]


class OpenQuestion(_Frozen):
    key: str
    label: str
    help: str
    accepted: str
    could_change: bool = False  # some answer to it would change the outcome


class Result(_Frozen):
    status: Status
    plugin: str | None
    plugin_name: str | None
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
