"""Shared fixtures: the knowledge base, the CLI runner, a fresh in-memory decision log; and the
rule that a test starting a process is marked `slow`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.core.knowledge import default_knowledge

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb():
    return default_knowledge()


@pytest.fixture
def cli():
    """Run `netplugin ARGS…` in-process; returns the click Result."""
    runner = CliRunner(env={"COLUMNS": "250"})  # rich wraps at the terminal width

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def recommend_json(cli):
    """`netplugin recommend --json TEXT` parsed, asserting it exits 0."""

    def run(text: str) -> dict:
        result = cli("recommend", "--json", *text.split())
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


@pytest.fixture
def knowledge_copy(tmp_path):
    """A writable copy of knowledge/ to break on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", target)
    return target


@pytest.fixture
def fresh_log():
    from bot.decisions import DecisionLog

    log = DecisionLog(":memory:")
    yield log
    log.close()


@pytest.fixture(autouse=True)
def _starting_a_process_is_slow(request, monkeypatch):
    """`pytest -m "not slow"` is the quick loop: a test not marked `slow` may start no process
    (a server, a wheel build, a venv, a browser, a command-line tool). It fails if it does."""
    if request.node.get_closest_marker("slow") is not None:
        return

    def refused(self, args, *rest, **kwargs):
        command = args if isinstance(args, str) else " ".join(str(a) for a in args)
        pytest.fail(
            f"{request.node.nodeid} starts a process ({command[:80]}): mark it @pytest.mark.slow",
            pytrace=False,
        )

    monkeypatch.setattr(subprocess.Popen, "__init__", refused)
