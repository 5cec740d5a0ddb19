"""How long `recommend()` takes per plan, against a baseline measured in the same run.

Baseline: validating the same answers into the pydantic Plan model (the cheapest thing every
request must do anyway). The claim in the README: recommend() costs under 1 ms per plan.

    python bench/recommend.py [--plans 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bot.core.engine import recommend
from bot.core.knowledge import default_knowledge
from bot.core.plan import plan_model

SCENARIOS = [
    {"location": ["ens"], "nodes": 500},
    {"location": ["edge-device"], "nodes": 12, "dispersed": True},
    {"pod-ip-access": True},
    {"cross-lan": True, "leased-line": True, "bgp": False, "location": ["idc"]},
    {"cross-lan": True, "leased-line": False, "l3": False},
    {},
    {"nodes": 600, "location": ["edge-device"], "pod-cidr": "10.0.0.0/16"},
]


def random_answers(kb, rng: random.Random) -> dict:
    data: dict = {}
    for q in kb.questions:
        if rng.random() < 0.5:
            continue
        if q.type == "int":
            data[q.key] = rng.randint(q.min or 1, min(q.max or 5000, 5000))
        elif q.type == "bool":
            data[q.key] = rng.random() < 0.5
        elif q.type == "choice":
            data[q.key] = rng.choice(q.choice_values())
        elif q.type == "multi":
            values = [v for v in q.choice_values() if v != q.none_value]
            data[q.key] = rng.sample(values, rng.randint(1, 2))
        elif q.type == "version":
            data[q.key] = f"1.{rng.randint(20, 35)}"
        else:
            data[q.key] = f"10.{rng.randint(0, 255)}.0.0/16"
    return data


def per_call_us(fn, items, repeat: int) -> float:
    """Best of `repeat` passes over all items, in microseconds per item."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - start) / len(items))
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    kb = default_knowledge()
    model = plan_model(kb)
    rng = random.Random(0)
    answers = SCENARIOS + [random_answers(kb, rng) for _ in range(args.plans)]
    plans = [model.model_validate(a) for a in answers]

    for plan in plans[:20]:  # warm caches (compiled conditions, templates)
        recommend(plan, kb)
    baseline = per_call_us(model.model_validate, answers, args.repeat)
    ours = per_call_us(lambda p: recommend(p, kb), plans, args.repeat)
    samples = []
    for plan in plans:
        start = time.perf_counter()
        recommend(plan, kb)
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]

    print(f"plans: {len(plans)} (7 seed scenarios + {args.plans} random), best of {args.repeat}")
    print(f"baseline  Plan.model_validate   {baseline:8.1f} µs/plan")
    print(f"recommend()                     {ours:8.1f} µs/plan  ({ours / baseline:.1f}× baseline)")
    print(f"recommend() median / p99        {statistics.median(samples):8.1f} / {p99:.1f} µs")
    verdict = "under" if p99 < 1000 else "OVER"
    print(f"budget 1 ms per plan: p99 is {verdict} it")


if __name__ == "__main__":
    main()
