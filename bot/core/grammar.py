"""The /netplugin grammar: `key=value` pairs and plain words, shared by every surface.

    read_question("400 ENS nodes, need NLB, pods reachable from outside, no BGP", kb)

returns what was understood (so the answer can say so), what was not (`unsure`: hedged, asked,
contradictory or role-less words, quoted), the plan, and input problems (unknown key, invalid
value) that name the key and the accepted values. Pairs are read first (`nodes=1.5k`,
`cross-lan=no,`, `BGP: yes`, `Pod CIDR: 10.88.0.0/16`); the rest goes to the plain-words reader
(bot/core/reader/). Words that contradict a pair set nothing and are named. It never raises.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.core.knowledge import Knowledge
from bot.core.plan import InvalidValue, PlanBase, parse_value, plan_model
from bot.core.reader import Unsure, read_words

# key=value, key = value, key="quoted value"; Slack may turn quotes into curly ones. A value
# ends before trailing punctuation people type ("cross-lan=no, we keep …").
# The key may be written in words ("Pod CIDR = 10.88.0.0/16"): up to three words before the `=`,
# of which the longest known ending is the key.
PAIR = re.compile(
    r"""((?<![\w/-])(?:[A-Za-z][\w-]*[ \t]+){0,2}[A-Za-z][\w-]*)\s*=\s*"""
    r"""("[^"]*"|“[^”]*”|'[^']*'|[^\s"“]+?)(?=[,;.!?)]*(?:\s|$))"""
)
# "BGP: yes", "Pod CIDR: 10.88.0.0/16": a known key, a colon, a value up to the clause's end.
COLON_PAIR = re.compile(
    r"(?<![\w/-])([A-Za-z][\w -]{0,30}?)\s*:\s*((?:[^,;\n]|,(?=\d{3}(?!\d)))+?)\s*"
    r"(?=(?!,\d{3}(?!\d))[,;\n]|[.!?](?:\s|$)|$)"
)
NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w-]*)(?![\w=:-])")
LIST_VALUE = re.compile(r"[^;\n]+?(?=\s*(?:[;\n]|[.!?](?:\s|$)|$))")
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

    @classmethod
    def invalid(cls, exc: InvalidValue) -> InputProblem:
        """A value its question does not accept, from the text, the modal or a what-if."""
        return cls(
            kind="invalid-value",
            key=exc.question.key,
            given=exc.given,
            accepted=exc.accepted,
            reason=exc.reason,
        )


class ParsedQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    text: str
    plan: PlanBase
    understood: list[Understood]
    unsure: list[Unsure] = []
    problems: list[InputProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _key_words(words: str, kb: Knowledge) -> tuple[str, int]:
    """The key a pair names (`Pod CIDR` → `pod-cidr`) and where it starts in `words`: the
    longest ending of the words that is a known key, else the last word."""
    parts = list(re.finditer(r"\S+", words))
    for first in range(len(parts)):
        name = "-".join(p.group(0) for p in parts[first:])
        if name.lower() in kb.key_aliases:
            return name, parts[first].start()
    return parts[-1].group(0), parts[-1].start()


def _blank(text: str, span: tuple[int, int]) -> str:
    """Blank out what a pair consumed so the plain-words reader does not read it again."""
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def read_question(text: str, kb: Knowledge) -> ParsedQuestion:
    text = (text or "")[:MAX_INPUT]
    answers: dict[str, Any] = {}
    understood: list[Understood] = []
    problems: list[InputProblem] = []

    # 1. key=value pairs: exact. A key given twice keeps the last (lists add up).
    rest = text
    for m in PAIR.finditer(text) if "=" in text else ():  # most messages have none
        name, start = _key_words(m.group(1), kb)
        rest = _blank(rest, (m.start() + start, m.end()))
        raw = m.group(2).strip("\"'“”")
        key = kb.key_aliases.get(name.lower())
        if key is None:
            close = difflib.get_close_matches(name.lower(), list(kb.key_aliases), n=1)
            problems.append(
                InputProblem(
                    kind="unknown-key",
                    key=name,
                    given=m.group(0)[start:],
                    accepted=", ".join(q.key for q in kb.questions),
                    suggestion=kb.key_aliases[close[0]] if close else None,
                )
            )
            continue
        # "location = other cloud": a choice named in two words is one value.
        more = NEXT_WORD.match(text, m.end())
        if more and _two_words(kb, key, raw, more.group(1)):
            raw = f"{raw}-{more.group(1)}"
            rest = _blank(rest, more.span())
        _take_pair(kb, key, raw, m.group(0)[start:], answers, understood, problems)

    # 2. The colon form, only where the key is known and the whole value parses; anything else
    # ("Location: IDC and edge devices", "details: idc + aws") is plain words.
    for m in COLON_PAIR.finditer(rest) if ":" in rest else ():
        key = kb.key_aliases.get(re.sub(r"\s+", "-", m.group(1).strip().lower()))
        if key is None or key in answers:
            continue
        # A list runs on past commas ("integrations: CLB, NLB; priority: …") where it parses.
        longer = LIST_VALUE.match(rest, m.start(2))
        for value_end in ([longer.end()] if longer else []) + [m.end(2)]:
            value = rest[m.start(2) : value_end]
            try:
                parse_value(kb, kb.question(key), value)
            except InvalidValue:
                continue
            said = rest[m.start() : value_end].strip()
            rest = _blank(rest, (m.start(), value_end))
            _take_pair(kb, key, value, said, answers, understood, problems)
            break

    # 3. Plain words. Where they contradict a pair, neither is taken.
    reading = read_words(rest, kb)
    unsure = list(reading.unsure)
    for found in reading.found:
        q = kb.question(found.key)
        if any(p.key == q.key for p in problems):
            continue
        try:
            value = parse_value(kb, q, found.value)
        except InvalidValue as exc:
            problems.append(InputProblem.invalid(exc))
            continue
        if q.key in answers:
            if answers[q.key] != value:
                pair = next(u for u in understood if u.key == q.key)
                understood.remove(pair)
                del answers[q.key]
                said = f"{pair.said} … {found.said}"
                unsure.append(Unsure(key=q.key, said=said, why="contradictory"))
            continue
        answers[q.key] = value
        understood.append(
            Understood(key=q.key, value=_jsonable(value), said=found.said, how="words")
        )

    plan = plan_model(kb).model_validate(answers)
    return ParsedQuestion(
        text=text, plan=plan, understood=understood, unsure=unsure, problems=problems
    )


def _two_words(kb: Knowledge, key: str, first: str, second: str) -> bool:
    q = kb.question(key)
    if q.type not in ("choice", "multi"):
        return False
    try:
        parse_value(kb, q, first)
    except InvalidValue:
        try:
            parse_value(kb, q, f"{first}-{second}")
        except InvalidValue:
            return False
        return True
    return False


def _take_pair(
    kb: Knowledge,
    key: str,
    raw: str,
    said: str,
    answers: dict[str, Any],
    understood: list[Understood],
    problems: list[InputProblem],
) -> None:
    q = kb.question(key)
    try:
        value = parse_value(kb, q, raw)
    except InvalidValue as exc:
        problems.append(InputProblem.invalid(exc))
        return
    if q.type == "multi" and isinstance(answers.get(key), list):
        value = answers[key] + [v for v in value if v not in answers[key]]
    answers[key] = value
    understood[:] = [u for u in understood if u.key != key]
    understood.append(Understood(key=key, value=_jsonable(value), said=said, how="key"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool | int):
        return value
    return str(value)
