"""How long `read_question()` takes per message, against a baseline measured in the same run.

Baseline: validating the gold plan of the same message into the pydantic Plan model (the
cheapest honest stand-in for "reading a message": every request builds a plan this way anyway).
The claim in the README: the plain-words reader costs under 0.5 ms per message (p99) in process.
Exits 1 if it does not, so the script doubles as a check (not part of the test suite).

    python bench/reader.py [--corpus tests/plainwords/dev.yaml] [--rounds 50]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import yaml

from bot.core.grammar import read_question
from bot.core.knowledge import Knowledge, default_knowledge
from bot.core.plan import plan_model

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "plainwords" / "dev.yaml"
BUDGET_MS = 0.5


def gold_answers(kb: Knowledge, plan: dict) -> dict:
    """The gold plan as the Plan model takes it: "none of these" is an empty list there."""
    answers = dict(plan)
    for q in kb.questions:
        if q.none_value and isinstance(answers.get(q.key), list):
            answers[q.key] = [v for v in answers[q.key] if v != q.none_value]
    return answers


def pct(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted nanoseconds, in milliseconds."""
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = parser.parse_args()

    kb = default_knowledge()
    model = plan_model(kb)
    corpus = yaml.safe_load(args.corpus.read_text(encoding="utf-8"))
    texts = [item["text"] for item in corpus]
    golds = [gold_answers(kb, item.get("plan") or {}) for item in corpus]

    for _ in range(args.warmup):  # compiled lexicon, regex caches, pydantic validators
        for text, gold in zip(texts, golds, strict=True):
            read_question(text, kb)
            model.model_validate(gold)

    clock = time.perf_counter_ns
    ours: list[int] = []
    base: list[int] = []
    gc.collect()
    for _ in range(args.rounds):  # interleaved by round, so drift hits both alike
        for gold in golds:
            start = clock()
            model.model_validate(gold)
            base.append(clock() - start)
        for text in texts:
            start = clock()
            read_question(text, kb)
            ours.append(clock() - start)
    ours.sort()
    base.sort()

    o50, o99, omax = statistics.median(ours) / 1e6, pct(ours, 99), ours[-1] / 1e6
    b50, b99, bmax = statistics.median(base) / 1e6, pct(base, 99), base[-1] / 1e6
    print(
        f"messages: {len(texts)} ({args.corpus.name}), {args.rounds} rounds, "
        f"{len(ours):,} timed calls each, after {args.warmup} warm-up rounds"
    )
    print(f"{'':34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(f"{'baseline  Plan.model_validate(gold)':34} {b50:8.4f} {b99:8.4f} {bmax:8.4f}")
    print(f"{'read_question(text, kb)':34} {o50:8.4f} {o99:8.4f} {omax:8.4f}")
    print(f"{'ratio (× baseline)':34} {o50 / b50:8.0f} {o99 / b99:8.0f} {omax / bmax:8.0f}")
    ok = o99 < BUDGET_MS
    print(
        f"read_question per message: p50 {o50:.3f} ms, p99 {o99:.3f} ms, max {omax:.3f} ms "
        f"({o50 / b50:.0f}× / {o99 / b99:.0f}× validating the gold plan with pydantic); "
        f"budget p99 < {BUDGET_MS} ms: {'met' if ok else 'NOT met'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
