"""The built image, run as people run it: deploy/image-check.sh calls this after `podman build`.

    python deploy/image_smoke.py --image localhost/netplugin-advisor:ci-check

Run on the host with the project's venv (the test extra: the fake Slack's Socket Mode server is
tests/fakeslack_socket.py, which needs websockets), with podman configured by the caller
(CONTAINERS_CONF, CONTAINERS_STORAGE_CONF). Every container runs as the image says (uid 10001)
with `--read-only --tmpfs /tmp` and a volume on /data, as docs/deploy.md tells people to run it:

- `netplugin --help` and `--version`; the user is 10001, the root filesystem refuses a write;
- the playground (`serve --mode playground --host 0.0.0.0`) behind a port mapping answers a
  question typed on its page with a card; its decision is in the log on /data after a stop and
  a start (read in the running container with `netplugin decisions list`);
- HTTP mode, against the fake Slack on the host (`--network host`), answers a signed slash
  command and posts the card; an unsigned one is refused;
- Socket Mode, against the fake Slack's websocket: /readyz 200 once connected, a slash command
  in an envelope acknowledged and its card posted;
- in every mode the image's HEALTHCHECK passes, and `podman stop -t 5` (SIGTERM, then SIGKILL
  after 5 s) ends the container with exit code 0, before the SIGKILL.

Exits 1 at the first failure, saying what failed with the container's last log lines; removes
its containers and volumes whatever happens.
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # fakeslack_socket: the fake Socket Mode server

from fakeslack_socket import SocketModeSlack  # noqa: E402

from bot.fakeslack import FakeSlack  # noqa: E402
from bot.fakeslack.driver import SlackDriver  # noqa: E402

LABEL = "netplugin-image-check"  # on every container and volume, for the cleanup
UID = "10001"
STOP_SECONDS = 5  # SIGTERM, then SIGKILL: a clean stop must end before
QUESTION = "400 ENS nodes, need NLB, pods reachable from outside, no BGP"
EXPECTED = "Terway Edge"  # the card's recommendation for QUESTION
READ_ONLY = ["--read-only", "--tmpfs", "/tmp"]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failed(Exception):
    """A smoke test failed: what, and the container whose log tells why."""

    def __init__(self, what: str, container: str | None = None):
        super().__init__(what)
        self.container = container


def podman(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise Failed(f"podman {' '.join(args[:3])}… exited {result.returncode}: {result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 2) -> tuple[int, bytes]:
    try:
        with NO_PROXY.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def eventually(what: str, probe: Callable[[], Any], timeout: float, container: str) -> Any:
    """`probe()` until it returns something truthy; fail if the container exits meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = probe()
        except (OSError, ValueError):
            found = None
        if found:
            return found
        if state(container)["Status"] != "running":
            raise Failed(f"{what}: the container exited first", container)
        if time.monotonic() > deadline:
            raise Failed(f"{what}: not within {timeout:.0f} s", container)
        time.sleep(0.2)


def state(container: str) -> dict[str, Any]:
    out = podman("inspect", "--format", "{{json .State}}", container).stdout
    return json.loads(out)


class Run:
    """This run's containers and volumes, named after it, removed at the end."""

    def __init__(self, image: str):
        self.image = image
        self.tag = f"{LABEL}-{secrets.token_hex(3)}"
        self.passed = 0

    def ok(self, what: str, started: float) -> None:
        self.passed += 1
        print(f"  ok  {what} ({time.monotonic() - started:.1f} s)", flush=True)

    def volume(self, name: str) -> str:
        volume = f"{self.tag}-{name}"
        podman("volume", "create", "--label", LABEL, volume)
        return volume

    def start(self, name: str, options: list[str], command: list[str]) -> str:
        container = f"{self.tag}-{name}"
        podman(
            "run", "--detach", "--name", container, "--label", LABEL,
            *READ_ONLY, *options, self.image, *command,
        )  # fmt: skip
        return container

    def run(self, options: list[str], command: list[str]) -> subprocess.CompletedProcess:
        return podman(
            "run", "--rm", "--label", LABEL, *READ_ONLY, *options, self.image, *command,
            check=False,
        )  # fmt: skip

    def healthy(self, container: str) -> None:
        result = podman("healthcheck", "run", container, check=False, timeout=30)
        if result.returncode != 0:
            raise Failed(f"the HEALTHCHECK says {result.stdout.strip() or 'unhealthy'}", container)

    def stop(self, container: str) -> float:
        """SIGTERM; the container must exit 0 before podman's SIGKILL, STOP_SECONDS later."""
        started = time.monotonic()
        podman("stop", "--time", str(STOP_SECONDS), container, timeout=STOP_SECONDS + 30)
        seconds = time.monotonic() - started
        code = state(container)["ExitCode"]
        if code != 0:
            killed = " (SIGKILL: SIGTERM did not end it)" if code == 137 else ""
            raise Failed(f"stopped with exit code {code}{killed} after {seconds:.1f} s", container)
        if seconds >= STOP_SECONDS:
            raise Failed(f"SIGTERM took {seconds:.1f} s, {STOP_SECONDS} s allowed", container)
        return seconds

    def logs(self, container: str) -> str:
        result = podman("logs", "--tail", "30", container, check=False)
        return result.stdout + result.stderr

    def cleanup(self) -> None:
        listed = podman("ps", "-aq", "--filter", f"name={self.tag}", check=False).stdout.split()
        if listed:
            podman("rm", "--force", "--volumes", "--time", "0", *listed, check=False)
        volumes = podman(
            "volume", "ls", "-q", "--filter", f"name={self.tag}", check=False
        ).stdout.split()
        if volumes:
            podman("volume", "rm", "--force", *volumes, check=False)


# --- the checks -------------------------------------------------------------------------------


def check_cli(run: Run) -> None:
    started = time.monotonic()
    for args in (["--help"], ["--version"]):
        result = run.run([], args)
        if result.returncode != 0 or not result.stdout.strip():
            raise Failed(f"netplugin {args[0]} exited {result.returncode}: {result.stderr[-600:]}")
    if "serve" not in run.run([], ["--help"]).stdout:
        raise Failed("netplugin --help does not list serve")
    run.ok("netplugin --help and --version", started)

    started = time.monotonic()
    config = json.loads(podman("image", "inspect", run.image).stdout)[0]
    if config.get("User") != f"{UID}:{UID}":
        raise Failed(f"the image's USER is {config.get('User')!r}, not {UID}:{UID}")
    if not config.get("Healthcheck"):
        raise Failed("the image has no HEALTHCHECK (was it built with --format docker?)")
    probe = "import os; print(os.getuid(), os.getgid()); open('/opt/x', 'w')"
    result = run.run(["--entrypoint", "python"], ["-c", probe])
    if not result.stdout.startswith(f"{UID} {UID}"):
        raise Failed(f"the container runs as {result.stdout.strip() or '?'}, not {UID}")
    if "Read-only file system" not in result.stderr:
        raise Failed(f"a write to /opt was not refused as read-only: {result.stderr[-400:]}")
    run.ok(f"uid {UID}, read-only root filesystem, a HEALTHCHECK", started)


def check_playground(run: Run) -> None:
    started = time.monotonic()
    data = run.volume("playground")
    pg = run.start(
        "playground",
        ["--volume", f"{data}:/data", "--publish", "127.0.0.1::3000"],
        ["serve", "--mode", "playground", "--host", "0.0.0.0"],
    )

    def base() -> str:
        address = podman("port", pg, "3000/tcp").stdout.strip().splitlines()[0]
        return f"http://{address}"

    eventually("the playground's /healthz", lambda: get(base() + "/healthz")[0] == 200, 30, pg)
    url = base()
    body = urllib.parse.urlencode({"text": f"/netplugin {QUESTION}"}).encode()
    request = urllib.request.Request(
        url + "/c/C0GENERAL/send", data=body, headers={"X-Playground": "1"}, method="POST"
    )
    try:
        with NO_PROXY.open(request, timeout=20) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise Failed(f"the page's POST answered {exc.code}: {exc.read()[:300]!r}", pg) from None
    if not answer.get("ok"):
        raise Failed(f"the page's POST answered {answer}", pg)

    def card() -> bool:
        status, page = get(url + "/c/C0GENERAL/state")
        return status == 200 and EXPECTED in json.loads(page)["messages"]

    eventually("the card on the playground's page", card, 20, pg)
    run.healthy(pg)
    run.ok("playground through a port mapping: a question answered with a card", started)

    started = time.monotonic()
    seconds = run.stop(pg)
    podman("start", pg)
    eventually("the playground again", lambda: get(base() + "/healthz")[0] == 200, 30, pg)
    listed = podman("exec", pg, "netplugin", "decisions", "list").stdout
    if "terway" not in listed.lower():
        raise Failed(f"the decision is not in /data after a restart: {listed[-600:]!r}", pg)
    again = run.stop(pg)
    run.ok(
        f"playground: SIGTERM → exit 0 ({seconds:.1f} s, {again:.1f} s); the decision on /data "
        "survives a restart",
        started,
    )


def check_http(run: Run) -> None:
    started = time.monotonic()
    secret = secrets.token_hex(16)
    port = free_port()
    with FakeSlack() as fake:
        bot = run.start(
            "http",
            [
                "--network", "host", "--volume", f"{run.volume('http')}:/data",
                "--env", f"SLACK_BOT_TOKEN={fake.bot_token}",
                "--env", f"SLACK_SIGNING_SECRET={secret}",
                "--env", f"SLACK_API_URL={fake.api_url}",
                "--env", f"PORT={port}",
            ],
            ["serve", "--mode", "http", "--host", "127.0.0.1"],
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        eventually("HTTP mode's /readyz", lambda: get(url + "/readyz")[0] == 200, 30, bot)
        driver = SlackDriver(url + "/slack/events", secret, fake)
        forged = driver.send_slash(QUESTION, secret="not-the-signing-secret")
        if forged.status != 401:
            raise Failed(f"a wrongly signed slash command got {forged.status}, not 401", bot)
        sent = driver.send_slash(QUESTION)
        if sent.status != 200:
            raise Failed(f"the signed slash command got {sent.status}: {sent.body[:300]!r}", bot)
        try:
            call = fake.wait_for("chat.postMessage", timeout=20)
        except TimeoutError as exc:
            raise Failed(f"no card posted: {exc}", bot) from None
        if EXPECTED not in json.dumps(call.params.get("blocks")):
            raise Failed(f"the card does not recommend {EXPECTED}: {call.params}", bot)
        run.healthy(bot)
        run.ok(
            "HTTP mode: a signed slash command answered with a card, a forged one refused", started
        )
        started = time.monotonic()
        run.stop(bot)
    run.ok("HTTP mode: SIGTERM → exit 0", started)


def check_socket(run: Run) -> None:
    started = time.monotonic()
    health = free_port()
    with SocketModeSlack() as fake:
        bot = run.start(
            "socket",
            [
                "--network", "host", "--volume", f"{run.volume('socket')}:/data",
                "--env", f"SLACK_BOT_TOKEN={fake.bot_token}",
                "--env", f"SLACK_APP_TOKEN={fake.app_token}",
                "--env", f"SLACK_API_URL={fake.api_url}",
                "--env", f"NETPLUGIN_HEALTH_PORT={health}",
            ],
            ["serve", "--mode", "socket", "--host", "127.0.0.1"],
        )  # fmt: skip
        url = f"http://127.0.0.1:{health}"
        eventually("Socket Mode's /readyz", lambda: get(url + "/readyz")[0] == 200, 30, bot)
        checks = json.loads(get(url + "/readyz")[1]).get("checks", {})
        if "socket" not in checks:
            raise Failed(f"/readyz does not check the websocket: {checks}", bot)
        envelope = fake.send_envelope("slash_commands", SlackDriver("", "").slash_body(QUESTION))
        try:
            fake.wait_for_ack(envelope, timeout=10)
            call = fake.wait_for("chat.postMessage", timeout=20)
        except TimeoutError as exc:
            raise Failed(str(exc), bot) from None
        if EXPECTED not in json.dumps(call.params.get("blocks")):
            raise Failed(f"the card does not recommend {EXPECTED}: {call.params}", bot)
        run.healthy(bot)
        run.ok("Socket Mode: /readyz 200 once connected, an envelope answered with a card", started)
        started = time.monotonic()
        run.stop(bot)
    run.ok("Socket Mode: SIGTERM → exit 0", started)


CHECKS = {"cli": check_cli, "playground": check_playground, "http": check_http}
CHECKS |= {"socket": check_socket}


@contextmanager
def smoke_run(image: str) -> Iterator[Run]:
    run = Run(image)
    try:
        yield run
    finally:
        run.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True)
    parser.add_argument("--only", choices=sorted(CHECKS), action="append", help="these checks")
    args = parser.parse_args(argv)
    started = time.monotonic()
    print(f"smoke tests of {args.image}", flush=True)
    with smoke_run(args.image) as run:
        for name in args.only or list(CHECKS):
            try:
                CHECKS[name](run)
            except (Failed, subprocess.TimeoutExpired) as exc:
                print(f"  FAILED  {name}: {exc}", file=sys.stderr, flush=True)
                container = getattr(exc, "container", None)
                if container:
                    print(f"--- the last lines of {container}'s log:", file=sys.stderr)
                    print(run.logs(container), file=sys.stderr, flush=True)
                return 1
    print(f"smoke tests: all {run.passed} ok in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
