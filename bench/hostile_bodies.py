"""Hostile bodies and slow clients against `netplugin serve --mode http`, with Slack's stock
Starlette adapter as the baseline.

    python bench/hostile_bodies.py [--clients 4] [--size-mb 256] [--slow 200] [--no-baseline]

Two server processes on 127.0.0.1, measured in turn: "ours" is `python -m bot serve --mode http`
(bot/runtime/server.py, as deployed); "stock" is a bare Bolt App behind
slack_bolt.adapter.starlette's SlackRequestHandler under uvicorn's defaults (it reads the whole
body, then lets Bolt check the signature). The fake Slack runs in this process.

Attacks, none of them signed:

- `--clients` concurrent POSTs of `--size-mb` each, the body made by a generator as it is sent
  (the client holds 64 KB at a time), once chunked (no length declared) and once with the length
  declared. Each client keeps sending until the server hangs up, reading the answer meanwhile.
  The server's peak RSS is the kernel's (VmHWM, reset through /proc/PID/clear_refs before each
  attack); "sent" is how much of each body went out before the server hung up.
- `--slow` connections that send half a request head and then nothing: how many the server has
  closed after 15 s.

Exits 1 when ours answers anything but 413, its peak RSS reaches 150 MB, or a slow connection
is still open.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.fakeslack import FakeSlack
from bot.slack import ids

SECRET = "bench-signing-secret"
MB = 1024 * 1024
RSS_LIMIT = 150 * MB
SLOW_WAIT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_stock(port: int, api_url: str) -> None:
    """The baseline's process: Bolt's stock Starlette adapter under uvicorn's defaults."""
    import uvicorn
    from slack_bolt import App
    from slack_bolt.adapter.starlette import SlackRequestHandler
    from slack_sdk import WebClient
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    client = WebClient(token="xoxb-fake-bot-token", base_url=api_url)
    app = App(client=client, signing_secret=SECRET)

    @app.command(ids.COMMAND)
    def ack_only(ack):
        ack()

    handler = SlackRequestHandler(app)

    async def events(request):
        return await handler.handle(request)

    async def healthz(request):
        return PlainTextResponse("ok")

    web = Starlette(
        routes=[Route(ids.EVENTS_PATH, events, methods=["POST"]), Route("/readyz", healthz)]
    )
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="warning")


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int):
        self.name, self.port = name, port
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.errors: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: {self.errors[-5:]}") from None
                time.sleep(0.05)

    def _drain(self) -> None:  # its stderr: kept for the count of tracebacks
        for line in self.process.stderr:
            self.errors.append(line)

    def status(self, field: str) -> int:
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise LookupError(field)

    def reset_peak(self) -> None:
        with open(f"/proc/{self.process.pid}/clear_refs", "w") as f:
            f.write("5")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def junk(total: int, *, chunked: bool, size: int = 64 * 1024) -> Iterator[bytes]:
    """`total` bytes made as they are sent; in chunked framing when `chunked`."""
    piece = b"x" * size
    frame = f"{size:x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    for _ in range(total // size):
        yield frame
    if chunked:
        yield b"0\r\n\r\n"


def push(port: int, size: int, chunked: bool) -> tuple[int | None, int]:
    """One hostile client: the head, then the body without waiting, while reading the answer.
    Returns the status and the body bytes that went out before the server hung up."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        f"POST {ids.EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    answer = bytearray()

    def read() -> None:
        try:
            while chunk := sock.recv(65536):
                answer.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read)
    reader.start()
    sent = 0
    try:
        sock.sendall(head)
        for chunk in junk(size, chunked=chunked):
            sock.sendall(chunk)
            sent += len(chunk)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # hung up on
    reader.join(120)
    sock.close()
    line = bytes(answer).split(b"\r\n", 1)[0].split()
    return (int(line[1]) if len(line) > 1 and line[1].isdigit() else None), sent


def attack(server: Server, clients: int, size: int, chunked: bool) -> dict:
    server.reset_peak()
    before = server.status("VmRSS")
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: push(server.port, size, chunked), range(clients)))
    return {
        "answers": Counter(status for status, _ in results),
        "sent": max(sent for _, sent in results),
        "before": before,
        "peak": server.status("VmHWM"),
        "seconds": time.perf_counter() - started,
    }


def slow_heads(server: Server, count: int) -> tuple[int, float]:
    """`count` connections that send half a head, then nothing: how many the server closed
    within SLOW_WAIT seconds, and when the last of those was closed."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(f"POST {ids.EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ".encode())
        socks.append(sock)
    started = time.monotonic()
    closed, last = 0, 0.0
    for sock in socks:
        sock.settimeout(max(0.001, SLOW_WAIT - (time.monotonic() - started)))
        try:
            if sock.recv(1024) == b"":
                closed, last = closed + 1, time.monotonic() - started
        except ConnectionResetError:
            closed, last = closed + 1, time.monotonic() - started
        except TimeoutError:
            pass
        sock.close()
    return closed, last


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--slow", type=int, default=200, help="slow connections (0: none)")
    parser.add_argument("--no-baseline", action="store_true", help="ours only")
    parser.add_argument("--stock", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stock:
        serve_stock(int(args.stock[0]), args.stock[1])
        return 0

    size = args.size_mb * MB
    rows, failures = [], []
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NETPLUGIN_"))}
        env |= {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_SIGNING_SECRET": SECRET}
        env |= {"SLACK_API_URL": fake.api_url, "NETPLUGIN_DB": str(Path(tmp) / "bench.db")}
        env = {k: v for k, v in env.items() if k.lower() not in ("http_proxy", "https_proxy")}
        servers = [("ours", [sys.executable, "-m", "bot", "serve", "--mode", "http"])]
        if not args.no_baseline:
            servers.append(("stock", [sys.executable, __file__, "--stock"]))
        for name, command in servers:
            port = free_port()
            if name == "ours":
                command = [*command, "--host", "127.0.0.1", "--port", str(port)]
            else:
                command = [*command, str(port), fake.api_url]
            server = Server(name, command, env, port)
            try:
                for chunked in (True, False):
                    got = attack(server, args.clients, size, chunked)
                    how = "chunked" if chunked else "declared"
                    rows.append((name, f"{args.clients} × {args.size_mb} MB {how}", got))
                    if name == "ours" and (
                        set(got["answers"]) != {413} or got["peak"] >= RSS_LIMIT
                    ):
                        failures.append(f"{how}: {dict(got['answers'])}, peak {got['peak']}")
                if args.slow:
                    closed, last = slow_heads(server, args.slow)
                    rows.append((name, f"{args.slow} slow heads", (closed, last)))
                    if name == "ours" and closed < args.slow:
                        failures.append(f"{args.slow - closed} slow connections still open")
                tracebacks = sum("Traceback" in line for line in server.errors)
                rows.append((name, "tracebacks in its log", tracebacks))
                if name == "ours" and tracebacks:
                    failures.append(f"{tracebacks} tracebacks in the log")
            finally:
                server.stop()

    for name, what, got in rows:
        if isinstance(got, dict):
            answers = ", ".join(f"{n}× {s}" for s, n in sorted(got["answers"].items(), key=str))
            print(
                f"{name:>5}  {what:<26} answers {answers:<10} sent ≤ {got['sent'] / MB:7.1f} MB"
                f"  RSS {got['before'] / MB:5.0f} → peak {got['peak'] / MB:6.0f} MB"
                f"  {got['seconds']:6.2f} s"
            )
        elif isinstance(got, tuple):
            closed, last = got
            after = f" (the last after {last:.1f} s)" if closed else ""
            print(
                f"{name:>5}  {what:<26} closed by the server within {SLOW_WAIT:.0f} s: "
                f"{closed}/{args.slow}{after}"
            )
        else:
            print(f"{name:>5}  {what:<26} {got}")
    for failure in failures:
        print("FAIL ours:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
