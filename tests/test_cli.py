"""`netplugin compare | checklist | keys`, and the package working outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def flat(text: str) -> str:
    return " ".join(text.split())


def test_compare_shows_every_row_of_the_table(cli, kb):
    out = flat(cli("compare").stdout)
    for row in kb.rows:
        assert row.label in out
    for words in ("approximately 20% faster", "Community plugin", "Not supported"):
        assert words in out
    assert "cannot be changed afterwards" in out


def test_checklist_lists_items_with_verification(cli):
    out = flat(cli("checklist", "flannel").stdout)
    assert "UDP 8472 between nodes" in out  # items by their titles, never their ids
    assert "vxlan-port" not in out
    assert "tcpdump" in out
    assert "Leased line to the VPC" not in out
    terway = flat(cli("checklist", "terway-edge").stdout)
    assert "BGP on the edge gateway" in terway
    assert cli("checklist", "calico").exit_code == 2


def test_keys_are_generated_from_the_questionnaire(cli, kb):
    out = cli("keys").stdout
    for q in kb.questions:
        assert q.key in out


@pytest.mark.slow
def test_installed_wheel_works_outside_the_source_tree(tmp_path):
    """`pip install .` must ship knowledge/ and templates/ inside the package."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
    )
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/_data/knowledge/rules.yaml" in names
    assert "bot/_data/templates/messages.yaml" in names
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-t", str(site), str(wheel)],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("NETPLUGIN_KNOWLEDGE_DIR", None)
    env.pop("NETPLUGIN_TEMPLATES_DIR", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "recommend",
            "--json",
            "pod-ip-access=yes",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"plugin": "terway-edge"' in out
    where = subprocess.run(
        [sys.executable, "-c", "import bot.paths as p; print(p.knowledge_dir())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.strip().startswith(str(site))


def test_recommend_json_says_what_was_understood_and_what_was_not(cli):
    out = cli("recommend", "--json", "300 ENS nodes, we'll likely have BGP, 10.1.0.0/16").stdout
    result = json.loads(out)
    assert [(u["key"], u["value"]) for u in result["understood"]] == [
        ("location", ["ens"]),
        ("nodes", 300),
    ]
    assert {(u["key"], u["why"], u["said"]) for u in result["unsure"]} == {
        ("bgp", "hedged", "we'll likely have BGP"),
        (None, "no-role", "10.1.0.0/16"),
    }
    card = cli("recommend", "300 ENS nodes, we'll likely have BGP").stdout
    assert "Not taken from your words" in card
    assert "we'll likely have BGP" in card


def test_recommend_forgives_what_people_type(cli):
    result = json.loads(cli("recommend", "--json", "cross-lan=no,", "nodes=1.5k").stdout)
    assert result["plan"] == {"nodes": 1500, "cross-lan": False}
