"""Nothing acknowledged is ever lost: kill the server with SIGKILL under load, and every slash
command that got its 200 is in the decision log, as a decision or as a request kept before the
ack; a restart decides those and posts every card the killed process had not posted."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from processes import free_port, serve_env, wait_for_http
from waiting import eventually

from bot.fakeslack import FakeSlack, SlackDriver

SECRET = "durability-signing-secret"
QUESTIONS = [
    "location=ens nodes=500",
    "location=edge-device nodes=12 dispersed=yes",
    "pod-ip-access=yes",
    "400 ENS nodes, need NLB, no BGP",
]


def _start(fake: FakeSlack, db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = serve_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        NETPLUGIN_DB=str(db),
    )
    command = ["serve", "--mode", "http", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/healthz", process, timeout=20)
    return process, base


def _request_keys(db: Path) -> dict[str, str | None]:
    """Request key → the card's ts (None while unposted), for every logged decision."""
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT request_key, message_ts FROM decisions"))


def _kept_requests(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {key for (key,) in conn.execute("SELECT key FROM requests")}


@pytest.mark.slow
def test_sigkill_under_load_loses_no_acknowledged_decision(tmp_path):
    db = tmp_path / "netplugin.db"
    with FakeSlack() as fake:
        process, base = _start(fake, db)
        driver = SlackDriver(base + "/slack/events", SECRET, fake)
        acked: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def load(worker: int) -> None:
            n = 0
            while not stop.is_set():
                trigger = f"T{worker}-{n}"
                n += 1
                try:
                    sent = driver.send_slash(QUESTIONS[n % len(QUESTIONS)], trigger_id=trigger)
                except OSError:
                    return  # the server is gone
                if sent.status == 200:
                    with lock:
                        acked.append(trigger)

        threads = [threading.Thread(target=load, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        # Kill it mid-flight: requests are being acked and cards are being posted.
        with contextlib.suppress(AssertionError):  # at most 10 s: the assertion below is >= 20
            eventually(lambda: len(acked) >= 60, timeout=10)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=10)

        assert len(acked) >= 20, "the load never got going"
        logged = _request_keys(db)
        kept = _kept_requests(db)
        lost = [t for t in acked if t not in kept]
        assert lost == [], f"{len(lost)} acknowledged requests are not in the log"
        undecided = [t for t in acked if t not in logged]
        unposted = [t for t in acked if logged.get(t) is None]

        # A restart posts what the killed process had logged but not posted.
        restarted, _ = _start(fake, db)
        try:
            eventually(
                lambda: all(_request_keys(db).get(t) is not None for t in acked),
                timeout=20,
                interval=0.1,
                message="the restart did not post every card",
            )
        finally:
            restarted.terminate()
            restarted.wait(timeout=15)
        posted = {c.params.get("text", "") for c in fake.calls_to("chat.postMessage")}
        assert posted  # cards went out, before and after the restart
        print(
            f"acked {len(acked)}; at the kill: {len(undecided)} undecided, {len(unposted)} unposted"
        )


@pytest.mark.slow
def test_sigkill_between_the_post_and_its_record_then_a_restart_leaves_one_card(tmp_path):
    """Aimed: Slack has posted the card, the bot has not heard back (so its ts is not recorded)
    when it is killed. The restart finds the card in the channel by its metadata: one card."""
    db = tmp_path / "netplugin.db"
    with FakeSlack() as fake:
        process, base = _start(fake, db)
        driver = SlackDriver(base + "/slack/events", SECRET, fake)
        held = fake.hold_next("chat.postMessage")  # posted, the answer held until released
        try:
            assert driver.send_slash("location=ens nodes=500", trigger_id="T0AIMED").status == 200
            assert held.reached.wait(10), "the card was never posted"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            held.release()
        assert _request_keys(db) == {"T0AIMED": None}  # decided, its card's ts never recorded

        restarted, _ = _start(fake, db)
        try:
            ts = eventually(
                lambda: _request_keys(db).get("T0AIMED"),
                timeout=20,
                message="the restart did not record the card",
            )
        finally:
            restarted.terminate()
            restarted.wait(timeout=15)
        cards = fake.workspace.channels["C0GENERAL"].messages
        assert [m.ts for m in cards] == [ts], f"{len(cards)} cards for one decision"
        assert cards[0].metadata["event_payload"] == {"decision_id": 1}
        assert len(fake.calls_to("chat.postMessage")) == 1
        assert fake.calls_to("conversations.history"), "the restart posted without looking"
