"""Starting servers as real processes in tests: a free loopback port, a clean environment,
and waiting until a URL answers (failing at once, with its output, if the process dies)."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request

import pytest
from waiting import eventually

# Settings a developer's shell may hold, which must not leak into a test's server.
SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")
SETTINGS += ("PORT", "NETPLUGIN_DB")
# The server must reach the fake Slack on 127.0.0.1 directly: slack_sdk's clients read these.
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_env(**settings: str) -> dict[str, str]:
    """This process's environment without Slack settings or proxies, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS + PROXIES}
    return {**env, **settings}


def alive(process: subprocess.Popen) -> None:
    """Fail at once, with its output, if `process` has exited."""
    if process.poll() is not None:
        output = process.communicate()
        pytest.fail(f"the server exited ({process.returncode}): {str(output)[-2000:]}")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 15) -> bytes:
    """GET `url` until it answers 200; its body."""

    def answered() -> tuple[bytes] | None:  # a tuple: an empty body is an answer too
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return (response.read(),)
        except (OSError, urllib.error.HTTPError):
            pass
        alive(process)
        return None

    (body,) = eventually(answered, timeout=timeout, interval=0.05, message=f"{url} did not answer")
    return body
