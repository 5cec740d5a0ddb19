"""A CLI that starts in a blink (issue 16): commands imported when run, knowledge validated once
per content version and kept between runs. Timings are bench/cli_start.py's; these tests check
what makes them: what a start imports, and that the cache is never stale nor unsafe."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from typing import Any

import click
import pytest

from bot.cli import COMMANDS, command, main
from bot.core.knowledge import load_knowledge
from bot.core.knowledge_cache import KnowledgeCache

HEAVY = ("slack_bolt", "slack_sdk", "rich", "jinja2", "sqlite_utils", "uvicorn", "starlette")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_table_says_what_each_command_says(name) -> None:
    listed = click.Command(name, help=COMMANDS[name][2])
    for limit in (40, 60, 200):
        assert listed.get_short_help_str(limit) == command(name).get_short_help_str(limit)


def imported_by(*args: str, cache: str) -> tuple[set[str], str]:
    """The modules a `netplugin` run imports, and what it printed."""
    code = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "NETPLUGIN_CACHE_DIR": cache}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.splitlines()[-1])), done.stdout


@pytest.mark.slow
def test_help_and_a_json_answer_import_only_what_they_need(tmp_path) -> None:
    modules, out = imported_by("--help", cache=str(tmp_path))
    assert "recommend" in out
    assert not any(m.startswith("bot.cli.") for m in modules), "--help runs no command module"
    assert not {m.split(".")[0] for m in modules} & {*HEAVY, "pydantic", "yaml"}
    imported_by("recommend", "--json", "nodes=5", cache=str(tmp_path))  # fills the cache
    modules, out = imported_by("recommend", "--json", "nodes=5", cache=str(tmp_path))
    assert json.loads(out)["confidence"] == "leaning"
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {*HEAVY, "yaml", "rapidfuzz", "text_to_num"}, roots & {*HEAVY, "yaml"}
    assert "bot.core.reader.message" not in modules  # key=value pairs alone read no words
    assert "bot.decisions" not in modules and "bot.slack" not in modules


def run_as_the_program(*args: str, env: dict[str, str]) -> dict[str, Any]:
    """`python -m bot ARGS` and what it did on the way: the entry-point groups it looked up
    (pydantic's plugin scan is one), the objects it left frozen at exit, what it printed."""
    code = (
        "import gc, importlib.metadata, json, runpy, sys\n"
        "scan, scanned = importlib.metadata.entry_points, []\n"
        "def recorded(**params):\n"
        "    scanned.append(params.get('group'))\n"
        "    return scan(**params)\n"
        "importlib.metadata.entry_points = recorded\n"
        f"sys.argv = ['netplugin', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps({'scanned': scanned, 'frozen': gc.get_freeze_count()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return {**json.loads(done.stderr.splitlines()[-1]), "out": done.stdout}


@pytest.mark.slow
def test_a_run_skips_pydantics_plugin_scan_unless_the_operator_says(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["NETPLUGIN_CACHE_DIR"] = str(tmp_path)
    recommend = ("recommend", "--json", "nodes=5")
    ours = run_as_the_program(*recommend, env=env)
    assert json.loads(ours["out"])["confidence"] == "leaning"
    assert "pydantic" not in ours["scanned"]
    operators = {**env, "PYDANTIC_DISABLE_PLUGINS": "some-plugin"}  # theirs wins: pydantic scans
    assert "pydantic" in run_as_the_program(*recommend, env=operators)["scanned"]


@pytest.mark.slow
def test_the_command_line_leaves_its_objects_to_the_os_a_caller_keeps_them(capsys) -> None:
    assert run_as_the_program("--help", env=dict(os.environ))["frozen"] > 0
    before = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["--help"])
    frozen = gc.get_freeze_count() - before
    if frozen:  # this process goes on: give them back before the assertion says so
        gc.unfreeze()
    assert frozen == 0
    assert "recommend" in capsys.readouterr().out


def test_the_cache_gives_back_what_was_validated(kb, tmp_path) -> None:
    cache = KnowledgeCache(tmp_path / "cache")
    first = load_knowledge(kb.directory, cache=cache)
    (entry,) = (tmp_path / "cache").glob("knowledge-*.pickle")
    assert oct(os.stat(tmp_path / "cache").st_mode & 0o777) == "0o700"
    assert entry.stat().st_mode & 0o077 == 0  # this user's alone
    again = load_knowledge(kb.directory, cache=cache)
    assert again == first and again.version == kb.version
    assert cache.get(kb.directory, kb.version) is not None


def test_a_changed_file_is_a_new_version_never_a_stale_answer(knowledge_copy, tmp_path) -> None:
    cache = KnowledgeCache(tmp_path / "cache")
    before = load_knowledge(knowledge_copy, cache=cache)
    rules = knowledge_copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("firm_margin: 3", "firm_margin: 4"))
    after = load_knowledge(knowledge_copy, cache=cache)
    assert after.version != before.version
    assert (before.confidence.firm_margin, after.confidence.firm_margin) == (3, 4)


def test_a_broken_or_foreign_entry_is_validated_again(kb, tmp_path) -> None:
    cache = KnowledgeCache(tmp_path / "cache")
    load_knowledge(kb.directory, cache=cache)
    (entry,) = (tmp_path / "cache").glob("knowledge-*.pickle")
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    assert cache.get(kb.directory, kb.version) is None
    assert load_knowledge(kb.directory, cache=cache).version == kb.version  # and rewritten
    assert cache.get(kb.directory, kb.version) is not None
    os.chmod(tmp_path / "cache", 0o777)  # others could have written it: not read, not written
    assert cache.get(kb.directory, kb.version) is None


def test_the_cache_can_be_off_or_unwritable(kb, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NETPLUGIN_CACHE_DIR", "off")
    assert KnowledgeCache.default() is None
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert load_knowledge(kb.directory, cache=KnowledgeCache(blocked / "cache")) == kb


def test_knowledge_in_use_is_cached_all_the_same(kb, tmp_path) -> None:
    for rule in kb.rules:  # conditions compiled to closures, as any request leaves them
        if rule.when is not None:
            rule.when.holds({})
    cache = KnowledgeCache(tmp_path / "cache")
    cache.put(kb)
    cached = cache.get(kb.directory, kb.version)
    assert cached == kb
    assert [r.when.holds({"location": ["ens"]}) for r in cached.rules if r.when] == [
        r.when.holds({"location": ["ens"]}) for r in kb.rules if r.when
    ]


def test_concurrent_runs_read_a_whole_entry_or_none(kb, tmp_path) -> None:
    cache = KnowledgeCache(tmp_path / "cache")
    seen: list[object] = []

    def run() -> None:
        for _ in range(20):
            cache.put(kb)
            seen.append(cache.get(kb.directory, kb.version))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen and all(found == kb for found in seen)
