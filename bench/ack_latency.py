"""Ack latency of /netplugin over HTTP: our app against bare Bolt apps that only ack.

    /work/venv/bin/python bench/ack_latency.py [--requests 200] [--concurrency 1 20]

Three processes, as in production: this one plays Slack's clients (SlackDriver: the same signed
slash command to each app); `python -m bot.fakeslack` plays the Web API; one child runs every app
(our server code, bot/runtime/server.py: uvicorn with httptools and uvloop on 127.0.0.1, with
start-up frozen out of the collector's reach as `netplugin serve` does, for the whole child).
"ours" is build_app() with the real listeners: the server keeps each question in a SQLite file
and acks it on the event loop (bot/runtime/quickack.py); once the acks are quiet, Bolt parses,
recommends, logs and posts the card. Three bare Bolt apps only ack
(`@app.command("/netplugin")`, Bolt's defaults otherwise), each served as people serve one:
- "bolt": `App` on Bolt's own server (`app.start()`: http.server, one request at a time; here on
  127.0.0.1, not its 0.0.0.0) — it cannot take 20 concurrent connections, so it is measured one
  at a time only;
- "asgi": `AsyncApp` behind Bolt's Starlette adapter (AsyncSlackRequestHandler) on uvicorn with
  its defaults: the production-shaped baseline (uvicorn picks httptools and uvloop when they
  are installed, as they are with this project: the same parser and loop as ours);
- "bare": `App` behind this project's server (bot/runtime/server.py), the server held equal.
The ratios are against the best bare app measured at that concurrency. "floor" is no app: an
ASGI function on the same uvicorn that answers 200 once it has the body, so it shows what the
client (this process, on the same 2 cores) and uvicorn cost before any app does anything.

Load: at concurrency 1, one request at a time; at concurrency N, bursts of N simultaneous
requests; after each burst the bench waits until its cards are posted, so the figures are
latencies, not a saturation test (slash commands come from people, in bursts). The apps are
measured in turn (bare, ours, bare, ours) in the same run. "card" is the time from sending a
request to its chat.postMessage reaching the fake. "server" is the CPU time the app's server
thread used per request (Linux only): the whole ack for ours, the floor and the `AsyncApp`,
all on their event loop; for the two bare `App`s only the HTTP side, Bolt's dispatch running
on other threads.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer
from pathlib import Path
from urllib.parse import urlencode

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App
from slack_sdk import WebClient

from bot.decisions import DecisionLog
from bot.fakeslack import SlackDriver
from bot.runtime.app import build_app
from bot.runtime.lifecycle import freeze_start_up
from bot.runtime.server import create_web_app, serve_in_thread
from bot.settings import Settings
from bot.slack import ids

APPS = ("floor", "bolt", "asgi", "bare", "ours")  # measured in turn, in this order
SECRET = "bench-signing-secret"
TOKEN = "xoxb-fake-bot-token"  # the fake's default
TAG = re.compile(r"req-(\d+)")


def bare_app(client: WebClient) -> App:
    app = App(token=client.token, signing_secret=SECRET, client=client)

    @app.command(ids.COMMAND)
    def ack_only(ack):
        ack()

    return app


def bolt_server(client: WebClient) -> tuple[str, threading.Thread]:
    """The bare App on Bolt's own development server, bound to 127.0.0.1 (Bolt binds 0.0.0.0:
    its HTTPServer is swapped for one on loopback before it is made)."""
    import slack_bolt.app.app as bolt

    class LoopbackServer(HTTPServer):
        def __init__(self, address, handler):
            handler.log_message = lambda *args: None  # a line per request on stderr otherwise
            super().__init__(("127.0.0.1", address[1]), handler)

    bolt.HTTPServer = LoopbackServer
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = bolt.SlackAppDevelopmentServer(port=port, path=ids.EVENTS_PATH, app=bare_app(client))
    thread = threading.Thread(target=server.start, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{port}", thread


def asgi_server(api_url: str) -> tuple[str, threading.Thread]:
    """A bare AsyncApp behind Bolt's Starlette adapter, on uvicorn with its defaults."""
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.routing import Route

    app = AsyncApp(
        token=TOKEN, signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url)
    )

    @app.command(ids.COMMAND)
    async def ack_only(ack):
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def events(request):
        return await handler.handle(request)

    web = Starlette(routes=[Route(ids.EVENTS_PATH, events, methods=["POST"])])
    sock = socket.socket()  # as uvicorn.run(host, port) makes it
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.005)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", thread


async def floor_app(scope, receive, send) -> None:
    """No app at all: reads the body and answers 200. What this client and uvicorn cost."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def serve_apps(api_url: str, db: str) -> None:
    """The app process: every app; prints their URLs; runs until stdin closes."""
    settings = Settings(slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=api_url)
    ours = serve_in_thread(create_web_app(build_app(settings, log=DecisionLog(db))))
    bare = serve_in_thread(create_web_app(bare_app(WebClient(token=TOKEN, base_url=api_url))))
    bolt, bolt_thread = bolt_server(WebClient(token=TOKEN, base_url=api_url))
    asgi, asgi_thread = asgi_server(api_url)
    floor = serve_in_thread(floor_app)
    freeze_start_up()  # as `netplugin serve` does; the whole process, so the bare apps' too
    threads = [ours.thread, bare.thread, bolt_thread, asgi_thread, floor.thread]
    print("threads:", *(thread.native_id for thread in threads), flush=True)
    print("urls:", ours.url, bare.url, bolt, asgi, floor.url, flush=True)  # Bolt's prints too
    sys.stdin.read()


class FakeProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.fakeslack"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.api_url = self.process.stdout.readline().strip()
        self.base = self.api_url.removesuffix("/api/")

    def calls(self) -> list[dict]:
        with urllib.request.urlopen(self.base + "/_fake/calls", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        urllib.request.urlopen(
            urllib.request.Request(self.base + "/_fake/reset", data=b"", method="POST"), timeout=10
        ).read()

    def posts(self) -> dict[int, float]:
        """Request number → when its card reached chat.postMessage (wall clock)."""
        found = {}
        for call in self.calls():
            if call["method"] == "chat.postMessage" and call["status"] == 200:
                match = TAG.search(json.dumps(call["params"].get("blocks")))
                if match:
                    found[int(match.group(1))] = call["at"]
        return found

    def wait_for_posts(self, wanted: set[int], timeout: float = 30) -> dict[int, float]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.posts()
            if wanted <= set(found) or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def run(driver, requests, concurrency, start, fake: FakeProcess | None):
    """Bursts of `concurrency`; returns ack latencies and, with `fake`, card latencies."""
    acks: list[float] = []
    sent_at: dict[int, float] = {}
    lock = threading.Lock()

    def one(i: int) -> None:
        body = urlencode(driver.slash_body(f"400 ENS nodes, need NLB, no BGP req-{i}"))
        with lock:
            sent_at[i] = time.time()
        answer = driver.post(body, "application/x-www-form-urlencoded")
        assert answer.status == 200, answer.status
        with lock:
            acks.append(answer.elapsed)

    cards: list[float] = []
    with ThreadPoolExecutor(concurrency) as pool:
        for first in range(start, start + requests, concurrency):
            burst = set(range(first, min(first + concurrency, start + requests)))
            list(pool.map(one, sorted(burst)))
            if fake is not None:
                posted = fake.wait_for_posts(burst)
                cards.extend(posted[i] - sent_at[i] for i in burst if i in posted)
    return acks, cards


def thread_cpu(pid: int, tid: str) -> float | None:
    """Seconds of CPU the thread has used (Linux's schedstat, in ns); None elsewhere."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
            return int(stat.read().split()[0]) / 1e9
    except OSError:
        return None


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="per app and concurrency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--serve", nargs=2, metavar=("API_URL", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_apps(*args.serve)
        return

    fake = FakeProcess()
    with tempfile.TemporaryDirectory() as tmp:
        apps = subprocess.Popen(
            [sys.executable, __file__, "--serve", fake.api_url, str(Path(tmp) / "bench.db")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = apps.stdout.readline()
        while not line.startswith("threads:"):
            line = apps.stdout.readline()
        threads = dict(
            zip(("ours", "bare", "bolt", "asgi", "floor"), line.split()[1:], strict=True)
        )
        line = apps.stdout.readline()
        while not line.startswith("urls:"):
            line = apps.stdout.readline()
        ours_url, bare_url, bolt_url, asgi_url, floor_url = line.split()[1:]
        drivers = {
            "ours": SlackDriver(ours_url + ids.EVENTS_PATH, SECRET),
            "bare": SlackDriver(bare_url + ids.EVENTS_PATH, SECRET),
            "bolt": SlackDriver(bolt_url + ids.EVENTS_PATH, SECRET),
            "asgi": SlackDriver(asgi_url + ids.EVENTS_PATH, SECRET),
            "floor": SlackDriver(floor_url + ids.EVENTS_PATH, SECRET),
        }
        start = 0
        for name, driver in drivers.items():  # warm up
            run(driver, 40, 1 if name == "bolt" else 4, 10_000_000 + start, None)
            start += 100
        rows = []
        for concurrency in args.concurrency:
            names = [n for n in APPS if concurrency == 1 or n != "bolt"]
            figures: dict[str, tuple[list, list, list]] = {name: ([], [], []) for name in names}
            for name in names + names:  # interleaved, twice
                fake.reset()
                ours = name == "ours"
                before = thread_cpu(apps.pid, threads[name])
                acks, cards = run(
                    drivers[name], args.requests // 2, concurrency, start, fake if ours else None
                )
                used = thread_cpu(apps.pid, threads[name])
                start += args.requests
                figures[name][0].extend(acks)
                figures[name][1].extend(cards)
                if before is not None and used is not None:
                    figures[name][2].append((used - before) / len(acks))
            rows.append((concurrency, figures))
        apps.stdin.close()
        apps.wait(timeout=10)
    fake.close()

    print(
        f"{'conc':>4} {'app':>5} {'ack p50':>8} {'ack p99':>8} {'server':>8}"
        f" {'card p50':>9} {'card p95':>9}"
    )
    for concurrency, figures in rows:
        for name, (acks, cards, cpu) in figures.items():
            server = f"{sum(cpu) / len(cpu) * 1e6:6.0f}us" if cpu else " " * 8
            card = f"{pct(cards, 50):7.1f}ms {pct(cards, 95):7.1f}ms" if cards else ""
            print(
                f"{concurrency:>4} {name:>5} {pct(acks, 50):6.2f}ms {pct(acks, 99):6.2f}ms"
                f" {server} {card}"
            )
        ours = figures["ours"][0]
        bare = {name: figures[name][0] for name in figures if name not in ("ours", "floor")}
        best50 = min(bare, key=lambda name: pct(bare[name], 50))
        best99 = min(bare, key=lambda name: pct(bare[name], 99))
        print(
            f"{concurrency:>4} ours / best bare: p50 {pct(ours, 50) / pct(bare[best50], 50):.2f}"
            f" ({best50}), p99 {pct(ours, 99) / pct(bare[best99], 99):.2f} ({best99})"
        )
        floor = figures["floor"][0]
        print(
            f"{concurrency:>4} floor / best bare: p50 {pct(floor, 50) / pct(bare[best50], 50):.2f}"
        )


if __name__ == "__main__":
    main()
