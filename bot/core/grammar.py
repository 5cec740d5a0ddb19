"""The /netplugin grammar: `key=value` pairs and plain words, shared by Slack and the CLI.

    read_question("400 ENS nodes, need NLB, pods reachable from outside, no BGP", kb)

returns what was understood (so the answer can say so), the plan, and input problems (unknown
key, invalid value) that name the key and the accepted values. It never raises on any input.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.core.knowledge import Knowledge, Question
from bot.core.plan import InvalidValue, PlanBase, parse_value, plan_model

# key=value, key = value, key="quoted value"; Slack may turn quotes into curly ones.
PAIR = re.compile(r"""([A-Za-z][\w-]*)\s*=\s*("[^"]*"|“[^”]*”|'[^']*'|[^\s"“]+)""")
MAX_INPUT = 4000  # Slack caps a slash command's text well below this; longer input is cut.


class Understood(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    value: Any
    said: str  # the user's own words (or key=value) it came from
    how: Literal["key", "words"]


class InputProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["unknown-key", "invalid-value"]
    key: str | None  # the question key, or the unknown key as typed
    given: str
    accepted: str
    suggestion: str | None = None
    reason: str = ""


class ParsedQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    text: str
    plan: PlanBase
    understood: list[Understood]
    problems: list[InputProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _blank(text: str, match: re.Match[str]) -> str:
    """Blank out what a rule consumed so no other question reads the same words."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _read_words(text: str, q: Question, original: str) -> tuple[Any, str, str] | None:
    """One question's answer from plain words: (value, the user's words, the text left).

    `text` has the words other questions took blanked out; `original` keeps them, and since
    blanking keeps every position, a match's span quotes the user exactly."""
    if q.type == "bool":
        for value, patterns in ((False, q.words_no), (True, q.words_yes)):
            for pattern in patterns:
                m = _compiled(pattern).search(text)
                if m:
                    return value, original[m.start() : m.end()].strip(), _blank(text, m)
        return None
    if q.type in ("choice", "multi"):
        found: list[str] = []
        said: list[str] = []
        for choice in q.choices:
            for pattern in choice.words:
                m = _compiled(pattern).search(text)
                if m:
                    found.append(choice.value)
                    said.append(original[m.start() : m.end()].strip())
                    text = _blank(text, m)
                    break
        if not found:
            return None
        value: Any = found if q.type == "multi" else found[0]
        return value, ", ".join(said), text
    for pattern in q.words:  # int and cidr: the first group is the value
        m = _compiled(pattern).search(text)
        if m:
            return m.group(1), original[m.start() : m.end()].strip(), _blank(text, m)
    return None


def _problem(kb: Knowledge, exc: InvalidValue) -> InputProblem:
    return InputProblem(
        kind="invalid-value",
        key=exc.question.key,
        given=exc.given,
        accepted=exc.accepted,
        reason=exc.reason,
    )


def read_question(text: str, kb: Knowledge) -> ParsedQuestion:
    text = (text or "")[:MAX_INPUT]
    answers: dict[str, Any] = {}
    understood: list[Understood] = []
    problems: list[InputProblem] = []

    # 1. key=value pairs: exact, and they win over plain words.
    rest = text
    for m in PAIR.finditer(text):
        rest = _blank(rest, m)
        name, raw = m.group(1), m.group(2).strip("\"'“”")
        key = kb.key_aliases.get(name.lower())
        if key is None:
            close = difflib.get_close_matches(name.lower(), list(kb.key_aliases), n=1)
            problems.append(
                InputProblem(
                    kind="unknown-key",
                    key=name,
                    given=m.group(0),
                    accepted=", ".join(q.key for q in kb.questions),
                    suggestion=kb.key_aliases[close[0]] if close else None,
                )
            )
            continue
        q = kb.question(key)
        try:
            value = parse_value(kb, q, raw)
        except InvalidValue as exc:
            problems.append(_problem(kb, exc))
            continue
        if q.type == "multi" and isinstance(answers.get(key), list):
            value = answers[key] + [v for v in value if v not in answers[key]]
        answers[key] = value
        understood.append(Understood(key=key, value=_jsonable(value), said=m.group(0), how="key"))

    # 2. Plain words for what the pairs did not answer. CIDRs first: their digits are not counts.
    ordered = sorted(kb.questions, key=lambda q: q.type != "cidr")
    for q in ordered:
        if q.key in answers or any(p.key == q.key for p in problems):
            continue
        found = _read_words(rest, q, text)
        if found is None:
            continue
        raw, said, rest = found
        try:
            value = parse_value(kb, q, raw)
        except InvalidValue as exc:
            problems.append(_problem(kb, exc))
            continue
        answers[q.key] = value
        understood.append(Understood(key=q.key, value=_jsonable(value), said=said, how="words"))

    plan = plan_model(kb).model_validate(answers)
    return ParsedQuestion(text=text, plan=plan, understood=understood, problems=problems)


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool | int):
        return value
    return str(value)
