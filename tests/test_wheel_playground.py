"""The README's first command, as a new user runs it: `pip install . && netplugin serve`.

The wheel is built and installed into a fresh virtual environment with its runtime dependencies
only (pinned by constraints.txt, never the test extra), so a runtime dependency can no longer
hide behind a test one (python-multipart came only through datasette). Then `netplugin serve`,
with no Slack token, must answer a question typed into the playground's page with a card.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from processes import free_port, serve_env, wait_for_http
from waiting import eventually

REPO = Path(__file__).resolve().parent.parent
QUESTION = "/netplugin location=ens nodes=500 integrations=nlb"
CARD = "Recommended: Terway Edge"
HEADER = re.compile(r'class="[^"]*\bbk-header\b[^"]*"[^>]*>\s*' + re.escape(CARD))
# What the test extra brings: none of it may be importable in the fresh environment.
TEST_ONLY = ("pytest", "httpx", "datasette", "playwright", "hypothesis")
WAIT_S = 15

pytestmark = pytest.mark.slow


def _fresh_env() -> dict[str, str]:
    """No Slack settings, no proxies, and no PYTHONPATH: nothing of the test environment."""
    env = serve_env()
    env.pop("PYTHONPATH", None)
    return env


def _run(*args: str | Path) -> None:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """A fresh venv (no system site packages) with the wheel and its runtime dependencies."""
    root = tmp_path_factory.mktemp("wheel-install")
    wheels = root / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, REPO)
    (wheel,) = wheels.glob("*.whl")
    venv = root / "venv"
    # No pip inside (faster): this interpreter's pip installs into it with --python.
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    constraints = REPO / "constraints.txt"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "-c", constraints, wheel)
    probe = "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])"
    found = subprocess.run(
        [python, "-c", probe, *TEST_ONLY], env=_fresh_env(), capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]", f"test-only packages in the fresh venv: {found.stdout}"
    return venv


def _post_form(url: str, fields: dict[str, str]) -> tuple[int, bytes]:
    """The request the page's script sends (templates/playground/static/playground.js, post())."""
    request = urllib.request.Request(
        url,
        data=urlencode(fields).encode(),
        headers={"X-Playground": "1", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _traceback(log: Path, timeout: float = 2) -> str:
    """The end of the server's output, once its traceback (logged after the 500) is there."""
    with contextlib.suppress(AssertionError):  # then what there is
        eventually(lambda: "Error:" in log.read_text(), timeout=timeout, interval=0.05)
    return log.read_text()[-3000:]


def _state(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_plain_install_serves_the_playground_and_answers_with_a_card(installed, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [installed / "bin" / "netplugin", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=_fresh_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # The page itself, at the URL the server prints: "/" sends the browser to a channel.
        page = wait_for_http(base + "/", process, timeout=WAIT_S).decode()
        channel = re.search(r'data-channel="([^"]+)"', page)[1]
        assert '<script src="/static/playground.js">' in page
        wait_for_http(base + "/static/playground.js", process)

        status, body = _post_form(f"{base}/c/{channel}/send", {"text": QUESTION})
        if status != 200:
            pytest.fail(f"HTTP {status} {body[:200]!r}; the server said:\n{_traceback(log)}")
        assert json.loads(body) == {"ok": True}

        # What the page polls, until the card is drawn.
        def messages() -> str:
            return _state(f"{base}/c/{channel}/state?thread=")["messages"]

        def drawn() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-3000:]}")
            return bool(HEADER.search(messages()))

        eventually(
            drawn, timeout=WAIT_S, interval=0.05, message=lambda: f"no card: {messages()[-2000:]}"
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    output = log.read_text()
    assert "Traceback" not in output, output[-3000:]
    assert (tmp_path / "playground.db").exists()  # the default decision log, in the cwd
