"""Score the plain-words reader on a gold corpus, in process, the way
../shared/plainwords/score.py scores the installed CLI: slot by slot (correct, missing, wrong,
spurious; a yes/no slot with the opposite value is a polarity flip), then the decision the words
lead to against the decision the gold plan leads to.

    python tests/plainwords/score.py [CORPUS.yaml]      # prints the figures and what failed
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.core.knowledge import Knowledge, default_knowledge

DEV = Path(__file__).with_name("dev.yaml")
YESNO = {"pod-ip-access", "cross-lan", "leased-line", "bgp", "l3", "dispersed"}
LISTS = {"location", "integrations"}


def _norm(key: str, value: Any) -> Any:
    if key in LISTS:
        values = [str(v).lower() for v in (value or [])]
        return tuple(sorted(values)) if values else ("none",)
    if key in YESNO:
        return bool(value)
    if key in ("nodes", "pods-per-node", "per-node-mask"):
        return int(value)
    return str(value).strip().lower()


def _pairs(plan: dict[str, Any]) -> str:
    def text(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        return ",".join(v) if isinstance(v, list) else str(v)

    return " ".join(f"{k}={text(v)}" for k, v in plan.items())


def _decision(text: str, kb: Knowledge) -> tuple[str | None, str | None]:
    parsed = read_question(text, kb)
    if parsed.problems:
        return ("input-error", None)
    result = recommend(parsed.plan, kb)
    return (result.status, result.plugin)


@dataclass
class Score:
    outcomes: Counter = field(default_factory=Counter)
    flips: list[str] = field(default_factory=list)
    decisions_agree: int = 0
    items: int = 0
    failing: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        got = sum(self.outcomes[k] for k in ("correct", "wrong", "flip", "spurious"))
        return self.outcomes["correct"] / got if got else 0.0

    @property
    def recall(self) -> float:
        gold = sum(self.outcomes[k] for k in ("correct", "wrong", "flip", "missing"))
        return self.outcomes["correct"] / gold if gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (
            f"slots P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}; "
            f"flips {len(self.flips)}; decisions agree {self.decisions_agree}/{self.items}"
        )


def score(corpus: list[dict[str, Any]], kb: Knowledge) -> Score:
    result = Score()
    for item in corpus:
        result.items += 1
        gold = item["plan"] or {}
        parsed = read_question(item["text"], kb)
        got = {} if parsed.problems else parsed.plan.to_json()
        problems = []
        for key in sorted(set(gold) | set(got)):
            g = _norm(key, gold[key]) if key in gold else None
            e = _norm(key, got[key]) if key in got else None
            if key in gold and key in got:
                outcome = "correct" if g == e else "flip" if key in YESNO else "wrong"
            else:
                outcome = "missing" if key in gold else "spurious"
            result.outcomes[outcome] += 1
            if outcome == "flip":
                result.flips.append(f"{item['id']} {key}")
            if outcome != "correct":
                problems.append(f"{outcome} {key}: gold={g} got={e}")
        words = _decision(item["text"], kb)
        wanted = _decision(_pairs(gold), kb)
        if words == wanted:
            result.decisions_agree += 1
        else:
            problems.append(f"decision gold={wanted} words={words}")
        if problems:
            unsure = [(u.key, u.why) for u in parsed.unsure]
            result.failing.append(
                f"{item['id']}: {item['text']}\n    "
                + "\n    ".join(problems)
                + (f"\n    unsure: {unsure}" if unsure else "")
            )
    return result


def load(path: Path = DEV) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text())


if __name__ == "__main__":
    corpus_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV
    figures = score(load(corpus_path), default_knowledge())
    print("\n".join(figures.failing))
    print(figures.summary())
