"""Real networks for the preflight tests: Linux network namespaces joined by veth pairs.

    net = Netns.make()                  # skips the test, saying why, when it cannot be done
    a, r = net.add("a"), net.add("r")
    net.link(a, "10.90.1.1/24", r, "10.90.1.254/24", mtu=1400)
    net.run(a, "ip", "route", "add", "default", "via", "10.90.1.254")
    listener = net.start(r, netplugin(), "preflight", "listen", ...)
    net.close()                         # processes ended, namespaces (and their links) removed

Names are unique per run (a random tag), so a run never meets another's leftovers, and
close() removes everything it made even when a test failed half-way.
"""

from __future__ import annotations

import os
import secrets
import selectors
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMMAND_TIMEOUT = 30


def tool(name: str) -> str | None:
    """The path of a system tool, also in the sbin directories a non-login PATH may lack."""
    found = shutil.which(name)
    if found:
        return found
    return next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)


def netplugin() -> str:
    """The `netplugin` of the virtual environment running the tests."""
    found = Path(sys.executable).parent / "netplugin"
    return str(found) if found.exists() else shutil.which("netplugin") or "netplugin"


class Netns:
    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.namespaces: list[str] = []
        self.processes: list[subprocess.Popen] = []
        self.links = 0

    @classmethod
    def make(cls) -> Netns:
        """A new set, or a skip naming what is missing (root, iproute2, namespaces)."""
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            pytest.skip("network namespaces need root (ip netns add); run the suite as root")
        if tool("ip") is None:
            pytest.skip("`ip` (iproute2) is not installed: .ci/run installs it")
        net = cls()
        probe = f"np{net.tag}probe"
        done = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"`ip netns add` failed here: {done.stderr.strip()}")
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
        return net

    def add(self, name: str) -> str:
        ns = f"np{self.tag}{name}"
        subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
        self.namespaces.append(ns)
        self.run(ns, "ip", "link", "set", "lo", "up")
        return ns

    def link(self, a: str, a_addr: str, b: str, b_addr: str, *, mtu: int | None = None) -> tuple:
        """A veth pair between namespaces a and b, addressed and up; `mtu` on both ends."""
        self.links += 1
        a_if, b_if = f"v{self.links}a", f"v{self.links}b"
        subprocess.run(
            ["ip", "link", "add", a_if, "netns", a, "type", "veth", "peer", b_if, "netns", b],
            check=True,
            capture_output=True,
        )
        for ns, ifname, addr in ((a, a_if, a_addr), (b, b_if, b_addr)):
            self.run(ns, "ip", "addr", "add", addr, "dev", ifname)
            if mtu:
                self.run(ns, "ip", "link", "set", ifname, "mtu", str(mtu))
            self.run(ns, "ip", "link", "set", ifname, "up")
        return a_if, b_if

    def run(
        self, ns: str, *command: str, check: bool = True, **kwargs
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ip", "netns", "exec", ns, *command],
            check=check,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            **kwargs,
        )

    def start(self, ns: str, *command: str, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(
            ["ip", "netns", "exec", ns, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            for stream in (process.stdout, process.stderr):
                if stream:
                    stream.close()
        for ns in reversed(self.namespaces):  # removing a namespace removes its veth ends
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces.clear()


def read_line(process: subprocess.Popen, *, timeout: float = 15.0) -> str:
    """The next line `process` prints, or a failure with what it said if it exits or is
    silent for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.05):
                line = process.stdout.readline()
                if line:
                    return line
            if process.poll() is not None:
                pytest.fail(f"exited {process.returncode}: {process.stderr.read()[-2000:]}")
    pytest.fail(f"said nothing within {timeout} s")
