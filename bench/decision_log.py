"""The decision log at scale: lookups and history with 1,000,000 decisions, and insert rate.

    python bench/decision_log.py [--rows 1000000] [--db /tmp/netplugin-bench.db]

Measures, in one run:
- thread lookup (`by_message`, what every thread reply does) and `history` (the
  `/netplugin history` query), on the large log and on a 1,000-decision log as the baseline;
- inserts with the real transaction shape (record() then attach_message(), each one commit, as
  the bot does per card) against a bare sqlite3 INSERT + commit of the same row;
- database size per decision.
Targets (issue 4): lookups under 5 ms each at 1M decisions; at least 500 inserts/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import time
from pathlib import Path

from bot.core.engine import recommend
from bot.core.knowledge import default_knowledge
from bot.core.plan import plan_model
from bot.decisions import DecisionLog

CHANNELS = [f"C{n:08d}" for n in range(2000)]
SMALL_CHANNELS = 50  # the 1,000-decision baseline: 20 per channel, so history returns 10 too


def sample_results(count: int) -> list[dict]:
    """Real results of varied plans: the payload every row carries."""
    kb = default_knowledge()
    model = plan_model(kb)
    rng = random.Random(1)
    results = []
    for _ in range(count):
        answers = {}
        if rng.random() < 0.8:
            answers["location"] = rng.sample(["ens", "idc", "edge-device", "other-cloud"], 1)
        if rng.random() < 0.8:
            answers["nodes"] = rng.randint(3, 3000)
        for key in ("pod-ip-access", "cross-lan", "leased-line", "bgp", "dispersed"):
            if rng.random() < 0.4:
                answers[key] = rng.random() < 0.5
        results.append(recommend(model.model_validate(answers), kb).to_json())
    return results


def bulk_fill(path: Path, rows: int, results: list[dict], channels: int = len(CHANNELS)) -> None:
    """Fill quickly (large transactions) with rows shaped like the bot's."""
    log = DecisionLog(path)
    log.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    # Set-up only; the measured inserts use the real settings.
    conn.execute("PRAGMA synchronous=OFF")
    encoded = [(json.dumps(r["plan"]), json.dumps(r), r["status"], r["plugin"]) for r in results]
    batch = 20_000
    for start in range(0, rows, batch):
        data = []
        for i in range(start, min(start + batch, rows)):
            plan, result, status, plugin = encoded[i % len(encoded)]
            channel = CHANNELS[i % channels]
            data.append(
                (
                    "2026-01-01T00:00:00.000+00:00",
                    "T1",
                    channel,
                    "public",
                    "U1",
                    "slash",
                    "location=ens nodes=500",
                    plan,
                    result,
                    status,
                    plugin,
                    "bench",
                    f"{1_700_000_000 + i}.000100",
                    f"trigger-{i}",
                )
            )
        conn.executemany(
            "INSERT INTO decisions (created_at, team, channel, visibility, user, source, raw_text,"
            " plan, result, status, plugin, knowledge_version, message_ts, request_key)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            data,
        )
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def time_ms(fn, args_list) -> tuple[float, float]:
    samples = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def lookups(path: Path, rows: int, channels: int = len(CHANNELS)) -> dict[str, tuple[float, float]]:
    log = DecisionLog(path)
    rng = random.Random(2)
    picks = [rng.randrange(rows) for _ in range(500)]
    thread_args = [(CHANNELS[i % channels], f"{1_700_000_000 + i}.000100") for i in picks]
    found = log.by_message(*thread_args[0])
    assert found is not None, "bench data is not what the lookup expects"
    history_args = [(CHANNELS[i % channels], 10) for i in picks]
    out = {
        "thread lookup": time_ms(log.by_message, thread_args),
        "history (10)": time_ms(log.history, history_args),
    }
    log.close()
    return out


def inserts(path: Path, results: list[dict], count: int) -> tuple[float, float]:
    """(ours per second, bare sqlite3 per second)."""
    log = DecisionLog(path)
    start = time.perf_counter()
    for i in range(count):
        decision, _ = log.record(
            result=results[i % len(results)],
            source="slash",
            raw_text="location=ens nodes=500",
            team="T1",
            channel="C-insert",
            visibility="public",
            user="U1",
            request_key=f"insert-{i}",
        )
        log.attach_message(decision.id, channel="C-insert", ts=f"{i}.1", permalink="https://x")
    ours = count / (time.perf_counter() - start)
    log.close()

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")
    payload = json.dumps(results[0])
    start = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO decisions (created_at, source, plan, result, status, knowledge_version,"
            " request_key) VALUES (?,?,?,?,?,?,?)",
            ("2026", "slash", "{}", payload, "recommended", "bench", f"bare-{i}"),
        )
        conn.execute("COMMIT")
    bare = count / (time.perf_counter() - start)
    conn.close()
    return ours, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/netplugin-bench.db")
    parser.add_argument("--inserts", type=int, default=2000)
    args = parser.parse_args()

    results = sample_results(200)
    big, small = Path(args.db), Path(args.db + ".small")
    for p in (big, small):
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    bulk_fill(big, args.rows, results)
    fill_s = time.perf_counter() - start
    bulk_fill(small, 1000, results, SMALL_CHANNELS)
    size = os.path.getsize(big)

    big_t = lookups(big, args.rows)
    small_t = lookups(small, 1000, SMALL_CHANNELS)
    ours, bare = inserts(small, results, args.inserts)

    print(f"decisions: {args.rows:,} (filled in {fill_s:.0f} s); baseline log: 1,000")
    print(f"{'query':16} {'p50 ms':>8} {'p99 ms':>8} {'p50 @1k':>8} {'ratio':>6}")
    for name in big_t:
        (p50, p99), (b50, _) = big_t[name], small_t[name]
        print(f"{name:16} {p50:8.3f} {p99:8.3f} {b50:8.3f} {p50 / b50:6.2f}")
    print(f"inserts (record + attach_message, 2 commits): {ours:,.0f}/s")
    print(f"bare sqlite3 INSERT + commit:                 {bare:,.0f}/s  (ours {ours / bare:.2f}×)")
    print(f"size: {size / 2**20:,.0f} MiB, {size / args.rows:,.0f} bytes per decision")
    for p in (big, small):  # gigabytes: do not leave them behind
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    ok = max(p99 for p50, p99 in big_t.values()) < 5 and ours >= 500
    print("targets (lookups < 5 ms p99, ≥ 500 inserts/s):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
