"""The README is the front door: it must not drift from the code (the datasette habit)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import main
from bot.settings import OVERRIDES, Settings

BOT = Path(__file__).resolve().parent.parent / "bot"
README = (BOT.parent / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"netplugin {name}" in README, name
        for sub in getattr(command, "commands", {}):
            assert f"netplugin {name} {sub}" in README, f"{name} {sub}"


def test_the_configuration_table_is_the_settings_class():
    """Each row of the README's table is a Settings field with its description, and no field
    is missing: the table and bot/settings/model.py say the same, in the same order."""
    section = README.split("## Configuration", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| (.+) \|$", section, re.MULTILINE)
    fields = [(name.upper(), field.description) for name, field in Settings.model_fields.items()]
    assert all(description for _, description in fields)
    assert rows == fields


def test_nothing_but_the_settings_package_reads_the_environment():
    settings = BOT / "settings"
    readers = [
        str(path.relative_to(BOT.parent))
        for path in BOT.rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") and settings not in path.parents
    ]
    assert readers == []
    # what `override` reads without the model are settings of the model
    assert set(Settings.model_fields) >= OVERRIDES


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
