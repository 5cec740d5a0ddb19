"""`netplugin decisions list | show | export` and the datasette configuration."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from processes import free_port, wait_for_http

from bot.cli import main
from bot.cli.params import SINCE
from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.decisions import DecisionLog, database
from bot.decisions.preflight import token_for

REPO = Path(__file__).resolve().parent.parent
PLANS = [
    "location=ens nodes=500",
    "cross-lan=yes leased-line=no l3=no",
    "location=edge-device nodes=12 dispersed=yes",
    "",
    "nodes=5",
]


@pytest.fixture
def db(cli, tmp_path):
    path = tmp_path / "netplugin.db"
    for text in PLANS:
        result = cli("recommend", "--json", "--log", str(path), *text.split())
        assert result.exit_code == 0
        assert json.loads(result.stdout)["decision_id"]
    return path


def test_list_and_filters(cli, db):
    out = cli("decisions", "list", "--db", str(db)).stdout
    assert "Terway Edge" in out
    assert "No plugin meets every requirement" in out
    assert out.count("(leaning)") == 1  # nodes=5: Flannel, not enough to decide
    only = cli("decisions", "list", "--db", str(db), "--plugin", "flannel").stdout
    assert "Flannel" in only
    assert "Terway Edge" not in only


def test_show_explains_the_decision(cli, db):
    out = " ".join(cli("decisions", "show", "--db", str(db), "2").stdout.split())
    assert "Decision 2" in out
    assert "Terway Edge requires a leased line" in out
    assert "cross-lan-terway-needs-leased-line" not in out  # rule ids only in Explain and JSON
    missing = cli("decisions", "show", "--db", str(db), "99")
    assert missing.exit_code == 1
    assert "No decision 99" in missing.stderr


def test_json_export_round_trip(cli, db, kb):
    exported = json.loads(cli("decisions", "export", "--db", str(db), "--format", "json").stdout)
    assert len(exported) == len(PLANS)
    for decision in exported:
        assert decision["plan"] == decision["result"]["plan"]
        assert decision["result"]["knowledge_version"] == kb.version
    assert exported[0]["plan"] == {"location": ["ens"], "nodes": 500}
    assert exported[1]["result"]["status"] == "conflict"


def test_csv_export(cli, db):
    text = cli("decisions", "export", "--db", str(db), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(PLANS)
    assert json.loads(rows[0]["plan"]) == {"location": ["ens"], "nodes": 500}


def test_adr_export_renders_reasons(cli, db, tmp_path):
    out = tmp_path / "adr"
    export = ("decisions", "export", "--db", str(db), "--format", "adr", "--out", str(out))
    result = cli(*export, "--all")  # proposals: none is adopted
    assert result.exit_code == 0
    files = sorted(out.glob("*.md"))
    assert len(files) == len(PLANS)
    first = files[0].read_text()
    assert "\n# 1. Container network plugin" in first
    assert "Recommended option: “Terway Edge”" in first
    assert "Edge Node Service (ENS)" in first
    assert "ens-favours-terway" not in first  # an ADR is read by people: no rule ids
    assert "## Considered Options" in first
    conflict = files[1].read_text()
    assert "No option meets every stated requirement" in conflict
    assert "Would unblock it" in conflict


@pytest.mark.slow
def test_datasette_serves_the_canned_queries(db):
    log = DecisionLog(db)
    try:
        token_for(log, 1)  # the preflight key is made: datasette neither lists nor shows it
    finally:
        log.close()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db),
            "--metadata",
            str(REPO / "deploy/datasette/metadata.yml"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/netplugin/decisions_per_plugin.json?_shape=array"
        rows = json.loads(wait_for_http(url, server, timeout=30))
        outcomes = {r["outcome"]: r["decisions"] for r in rows}
        assert outcomes == {"terway-edge": 1, "conflict": 1, "flannel": 2, "needs_info": 1}
        leaning = f"http://127.0.0.1:{port}/netplugin/leaning.json?_shape=array"
        with urllib.request.urlopen(leaning, timeout=5) as response:
            assert [r["raw_text"] for r in json.load(response)] == ["nodes=5"]
        what_ifs = f"http://127.0.0.1:{port}/netplugin/what_ifs.json?_shape=array&decision_id=1"
        with urllib.request.urlopen(what_ifs, timeout=5) as response:
            assert json.load(response) == []
        tables = f"http://127.0.0.1:{port}/netplugin.json"
        with urllib.request.urlopen(tables, timeout=5) as response:
            listed = [t["name"] for t in json.load(response)["tables"] if not t["hidden"]]
        assert "decisions" in listed and "preflight_key" not in listed
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/netplugin/preflight_key.json")
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- issue 13: an operator's commands fail loudly ---------------------------------------------

READ_COMMANDS = [
    ["list"],
    ["show", "1"],
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c))
def test_a_missing_log_exits_2_naming_it_and_creates_nothing(cli, tmp_path, command):
    db = tmp_path / "typo" / "more" / "typo.db"
    result = cli("decisions", *command, "--db", str(db))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"No decision log at {db}: there is no such file (nothing was created).")
    assert "--db PATH or NETPLUGIN_DB" in line
    assert not db.exists() and not db.parent.exists() and not (tmp_path / "typo").exists()
    assert list(tmp_path.iterdir()) == []


def test_an_adr_export_of_a_missing_log_writes_no_directory(cli, tmp_path):
    db, out = tmp_path / "typo.db", tmp_path / "adr"
    result = cli("decisions", "export", "--db", str(db), "--format", "adr", "--out", str(out))
    assert result.exit_code == 2
    assert f"No decision log at {db}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_playground_log_beside_a_missing_one_is_named(cli, tmp_path, monkeypatch):
    """After the playground (playground.db), a plain `decisions list` reads ./netplugin.db."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NETPLUGIN_DB", raising=False)
    made = cli("recommend", "--log", "playground.db", "location=ens", "nodes=500")
    assert made.exit_code == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("decisions", "list")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "No decision log at netplugin.db: there is no such file (nothing was created)."
        " The playground's log is beside it: read it with --db playground.db."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no netplugin.db
    followed = cli("decisions", "list", "--db", "playground.db")  # the hint works
    assert followed.exit_code == 0 and "Terway Edge" in followed.stdout


def test_the_playground_hint_gives_the_path_in_the_same_directory(cli, tmp_path):
    data = tmp_path / "data"
    DecisionLog(data / "playground.db").close()
    result = cli("decisions", "show", "--db", str(data / "netplugin.db"), "1")
    assert result.exit_code == 2
    assert f"read it with --db {data / 'playground.db'}." in result.stderr
    assert not (data / "netplugin.db").exists()
    elsewhere = cli("decisions", "list", "--db", str(tmp_path / "netplugin.db"))
    assert "beside it" not in elsewhere.stderr  # only beside the path, not anywhere


def test_a_missing_log_named_by_netplugin_db(tmp_path):
    db = tmp_path / "nowhere" / "netplugin.db"
    result = CliRunner().invoke(main, ["decisions", "list"], env={"NETPLUGIN_DB": str(db)})
    assert result.exit_code == 2
    assert f"No decision log at {db}" in result.stderr
    assert not db.parent.exists()


def test_a_missing_path_is_printed_without_control_characters(cli, tmp_path):
    db = tmp_path / "a\x1b]0;owned\x07b.db"
    result = cli("decisions", "list", "--db", str(db))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert f"No decision log at {tmp_path / 'ab.db'}" in result.stderr


# `--since`: decisions logged at these moments (UTC), read against a fixed now.
NOW = datetime(2026, 11, 26, 13, 45, tzinfo=UTC)
LOGGED_AT = [
    "2026-10-31T23:59:59.999+00:00",  # 1
    "2026-11-01T00:00:00.000+00:00",  # 2
    "2026-11-01T09:30:00.000+00:00",  # 3
    "2026-11-19T13:45:00.000+00:00",  # 4: exactly 7 days before now
    "2026-11-25T00:00:00.000+00:00",  # 5: the start of yesterday
    "2026-11-26T01:45:00.000+00:00",  # 6: exactly 12 hours before now
    "2026-11-26T13:00:00.000+00:00",  # 7
]


@pytest.fixture
def dated_db(tmp_path, kb, monkeypatch):
    path = tmp_path / "dated.db"
    log = DecisionLog(path)
    parsed = read_question("location=ens nodes=500", kb)
    result = recommend(parsed.plan, kb, parsed.understood).to_json()
    for at in LOGGED_AT:
        decision, _ = log.record(result=result, source="cli")
        log.db["decisions"].update(decision.id, {"created_at": at})
    log.close()
    monkeypatch.setattr(SINCE, "clock", lambda: NOW)
    return path


@pytest.mark.parametrize(
    ("since", "ids"),
    [
        ("2026-11-01", [2, 3, 4, 5, 6, 7]),
        ("2026-11-01T09:30", [3, 4, 5, 6, 7]),
        ("2026-11-01 09:30:00", [3, 4, 5, 6, 7]),
        ("2026-11-01T11:30+02:00", [3, 4, 5, 6, 7]),  # 09:30 UTC
        ("2026-11-01T04:30-05:00", [3, 4, 5, 6, 7]),
        ("2026-11-01T09:30Z", [3, 4, 5, 6, 7]),
        ("2026-11-01T09:30:00.001", [4, 5, 6, 7]),
        ("2026-10-31T23:59:59.999", [1, 2, 3, 4, 5, 6, 7]),
        ("7d", [4, 5, 6, 7]),
        ("2w", [4, 5, 6, 7]),  # 2026-11-12 13:45
        ("12h", [6, 7]),
        ("12H", [6, 7]),
        ("yesterday", [5, 6, 7]),
        ("today", [6, 7]),
        ("Today", [6, 7]),
        ("2027-01-01", []),
    ],
)
def test_since_reads_dates_times_and_times_ago(cli, dated_db, since, ids):
    result = cli("decisions", "export", "--db", str(dated_db), "--since", since)
    assert result.exit_code == 0, result.stderr
    assert [d["id"] for d in json.loads(result.stdout)] == ids


def test_since_is_written_as_the_log_writes_created_at(cli, tmp_path):
    """DecisionLog.query compares created_at >= since as strings: the same shape, in UTC."""
    logged = database.now()
    since = SINCE.convert("2026-11-01T11:30+02:00", None, None)
    assert since == "2026-11-01T09:30:00.000+00:00"
    assert len(since) == len(logged) and since[-6:] == logged[-6:] == "+00:00"
    db = tmp_path / "now.db"
    assert cli("recommend", "--log", str(db), "nodes=5").exit_code == 0
    for just_before in ("1h", "today"):  # the real clock
        found = cli("decisions", "export", "--db", str(db), "--since", just_before).stdout
        assert len(json.loads(found)) == 1


def test_since_in_decisions_list(cli, dated_db):
    out = cli("decisions", "list", "--db", str(dated_db), "--since", "yesterday").stdout
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [(row[0], row[1]) for row in rows] == [
        ("5", "2026-11-25"),
        ("6", "2026-11-26"),
        ("7", "2026-11-26"),
    ]


@pytest.mark.parametrize(
    "since",
    ["yesterdayy", "2026-13-45", "2026-02-30", "20261101", "2026-W44-1", "-7d", "7", "0d",
     "1.5d", "7 days", "last week", "2026-11-01T25:00", "2026-11-01T09:30+25:00", ""],
)  # fmt: skip
@pytest.mark.parametrize("command", ["list", "export"])
def test_since_refuses_anything_else_naming_the_forms(cli, dated_db, since, command):
    result = cli("decisions", command, "--db", str(dated_db), "--since", since)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--since'" in result.stderr
    assert f"'{since}' is not a time I can read." in result.stderr
    said = " ".join(result.stderr.split())
    for form in ("2026-11-01", "2026-11-01T09:30", "+02:00", "7d, 12h, 2w", "yesterday or today"):
        assert form in said


def test_since_is_refused_before_the_log_is_opened(cli, tmp_path):
    """A bad --since on a missing log: click's refusal (exit 2), and still nothing created."""
    db = tmp_path / "typo.db"
    result = cli("decisions", "list", "--db", str(db), "--since", "yesterdayy")
    assert result.exit_code == 2
    assert "is not a time I can read" in result.stderr
    assert not db.exists()
