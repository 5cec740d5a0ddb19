"""`netplugin decisions list | show | export` and the datasette configuration."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from processes import free_port, wait_for_http

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
    result = cli("decisions", "export", "--db", str(db), "--format", "adr", "--out", str(out))
    assert result.exit_code == 0
    files = sorted(out.glob("*.md"))
    assert len(files) == len(PLANS)
    first = files[0].read_text()
    assert first.startswith("# 1. Container network plugin")
    assert "Chosen option: “Terway Edge”" in first
    assert "Edge Node Service (ENS)" in first
    assert "ens-favours-terway" not in first  # an ADR is read by people: no rule ids
    assert "## Considered Options" in first
    conflict = files[1].read_text()
    assert "No option meets every stated requirement" in conflict
    assert "Would unblock it" in conflict


@pytest.mark.slow
def test_datasette_serves_the_canned_queries(db):
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
    finally:
        server.terminate()
        server.wait(timeout=10)
