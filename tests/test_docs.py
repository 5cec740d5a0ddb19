"""The README is the front door: it must not drift from the code (the datasette habit)."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"netplugin {name}" in README, name
        for sub in getattr(command, "commands", {}):
            assert f"netplugin {name} {sub}" in README, f"{name} {sub}"


def test_every_setting_is_in_the_readme():
    for field in Settings.model_fields:
        assert field.upper() in README, field.upper()


def test_every_grammar_key_is_in_the_readme(kb):
    for question in kb.questions:
        assert f"`{question.key}`" in README, question.key


def test_the_test_command_is_what_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "python -m pytest" in README
    assert ci.rstrip().splitlines()[-1] == "python -m pytest"


def test_every_benchmark_is_in_the_readme():
    bench = Path(__file__).resolve().parent.parent / "bench"
    for script in bench.glob("*.py"):
        assert f"bench/{script.name}" in README, script.name
