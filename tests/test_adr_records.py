"""ADRs worth keeping (issue 13): `netplugin decisions export --format adr` writes the decisions
that were adopted (and those they superseded), `--all` every one; each a MADR file with YAML
front matter that parses whatever a name contains, people and channels by name with their ids
beside them (the names the log keeps, else the id); `decisions show ID --json` prints the same
fields and the result; `decisions list` says what a decision was derived from."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from bot.cli.records import adr_file_name, slug
from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.decisions import DecisionLog, names
from bot.decisions.adoption import adopt

QUESTIONS = [
    "location=ens nodes=500",
    "cross-lan=yes leased-line=no l3=no",
    "location=edge-device nodes=12 dispersed=yes",
    "",
    "nodes=5",
    "location=idc nodes=40 bgp=yes",
    "location=ens nodes=300 integrations=nlb",
    "pod-ip-access=yes",
    "location=cloud nodes=40",
    "priority=simplicity nodes=30",
]
FIELDS = [
    "decision",
    "status",
    "date",
    "cluster",
    "plugin",
    "outcome",
    "confidence",
    "deciders",
    "asked-by",
    "adopted-by",
    "channel",
    "visibility",
    "review-by",
    "supersedes",
    "superseded-by",
    "what-if-of",
    "adjusted-from",
    "knowledge-version",
    "source",
    "link",
]
HOSTILE = [
    'alice "the admin": ops',
    "bob\n---\nstatus: accepted",
    "---",
    "- [x] {y}: #z & *w*",
    "it's a 'quote'",
    "tab\there\r\nand\u2028more",
    "\x1b[31mred\x1b[0m",
    "yes",
    "2026-01-01",
]


@pytest.fixture
def log(tmp_path, kb):
    """A log of 10 questions asked in #general by alice and bob (U0ALICE, U0BOB), their names
    kept as a posted card leaves them."""
    path = tmp_path / "netplugin.db"
    opened = DecisionLog(path)
    for n, text in enumerate(QUESTIONS):
        asked = read_question(text, kb)
        opened.record(
            result=recommend(asked.plan, kb).to_json(),
            source="slash",
            raw_text=text,
            channel="C0GENERAL",
            visibility="public",
            user=("U0ALICE", "U0BOB")[n % 2],
        )
    for id, kind, name in (
        ("U0ALICE", "user", "alice"),
        ("U0BOB", "user", "bob"),
        ("C0GENERAL", "channel", "general"),
    ):
        names.put(opened, id, kind=kind, name=name)
    yield opened
    opened.close()


def export(cli, log: DecisionLog, out: Path, *more: str):
    result = cli(
        "decisions", "export", "--db", log.path, "--format", "adr", "--out", str(out), *more
    )
    assert result.exit_code == 0, result.output
    return result


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, end, _ = text[4:].partition("\n---\n")
    assert end, "the front matter is not closed"
    return yaml.safe_load(head)


def test_ten_questions_and_two_adoptions_write_two_records(cli, log, tmp_path) -> None:
    adopt(log, 1, cluster="edge-prod", by="U0BOB")
    adopted = cli(
        "decisions", "adopt", "--db", log.path, "3", "--cluster", "edge-shops", "--by", "ops-jane"
    )
    assert adopted.exit_code == 0, adopted.output
    out = tmp_path / "adr"
    result = export(cli, log, out)
    assert "Wrote 2 decision records" in result.stderr
    files = sorted(out.glob("*.md"))
    assert [f.name for f in files] == [
        "0001-edge-prod-terway-edge.md",
        "0003-edge-shops-flannel.md",
    ]
    prod, shops = (front_matter(f) for f in files)
    assert list(prod) == FIELDS
    assert prod["status"] == "accepted"
    assert prod["date"] == log.get(1).adopted_at[:10]
    assert prod["cluster"] == "edge-prod"
    assert prod["plugin"] == {"name": "Terway Edge", "id": "terway-edge"}
    assert prod["confidence"] == "firm"
    assert prod["deciders"] == [{"name": "bob", "id": "U0BOB"}, {"name": "alice", "id": "U0ALICE"}]
    assert prod["adopted-by"] == {"name": "bob", "id": "U0BOB"}
    assert prod["channel"] == {"name": "general", "id": "C0GENERAL"}
    assert prod["review-by"] == "before the cluster is created"
    assert prod["supersedes"] is None and prod["superseded-by"] is None
    assert prod["knowledge-version"] == log.get(1).knowledge_version
    # An operator adopting from the terminal is named, with no Slack id.
    assert shops["deciders"] == [
        {"name": "ops-jane", "id": None},
        {"name": "alice", "id": "U0ALICE"},
    ]
    text = files[0].read_text(encoding="utf-8")
    assert (
        "\n# 1. Container network plugin for the ACK Edge cluster edge-prod planned in #general:"
        in text
    )
    assert "* Status: accepted — adopted for edge-prod by bob on" in text
    assert "Chosen option: “Terway Edge”" in text
    every = tmp_path / "every"
    export(cli, log, every, "--all")
    assert len(list(every.glob("*.md"))) == len(QUESTIONS)


def test_a_superseded_decision_stays_in_the_record_linked_both_ways(cli, log, tmp_path) -> None:
    adopt(log, 1, cluster="edge-prod", by="U0ALICE")
    adopt(log, 3, cluster="edge-prod", by="U0BOB", review_by=dt.date(2031, 3, 31))
    out = tmp_path / "adr"
    export(cli, log, out)
    old, new = out / "0001-edge-prod-terway-edge.md", out / "0003-edge-prod-flannel.md"
    assert sorted(out.glob("*.md")) == [old, new]
    assert front_matter(old)["status"] == "superseded"
    assert front_matter(old)["superseded-by"] == 3
    assert front_matter(new)["status"] == "accepted"
    assert front_matter(new)["supersedes"] == 1
    assert front_matter(new)["review-by"] == "2031-03-31"
    assert "superseded by [decision 3](0003-edge-prod-flannel.md)" in old.read_text()
    assert "* Supersedes: [decision 1](0001-edge-prod-terway-edge.md)" in new.read_text()
    # One of them alone still links to the other's file.
    alone = tmp_path / "alone"
    export(cli, log, alone, "--id", "3")
    assert "[decision 1](0001-edge-prod-terway-edge.md)" in (alone / new.name).read_text()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_front_matter_parses_whatever_a_name_contains(cli, log, tmp_path, hostile) -> None:
    names.put(log, "U0ALICE", kind="user", name=hostile)
    names.put(log, "C0GENERAL", kind="channel", name=hostile)
    adopt(log, 1, cluster=hostile, by="U0ALICE")
    out = tmp_path / "adr"
    export(cli, log, out)
    (path,) = out.glob("*.md")
    assert path.parent == out and path.name.startswith("0001-") and path.name.endswith(".md")
    fields = front_matter(path)
    # Control characters go (a record is opened in terminals); line separators are line breaks.
    shown = hostile.replace("\x1b[31m", "").replace("\x1b[0m", "").replace("\r", "")
    shown = shown.replace("\u2028", "\n")
    assert fields["cluster"] == shown
    assert fields["deciders"] == [{"name": shown, "id": "U0ALICE"}]
    assert fields["channel"] == {"name": shown, "id": "C0GENERAL"}
    assert fields["status"] == "accepted"  # no name can set another field
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    title = next(line for line in body.splitlines() if line.startswith("# "))
    assert title.startswith("# 1. Container network plugin") and title.endswith(": Terway Edge")


def test_file_names_are_stable_and_safe() -> None:
    assert slug("edge-prod") == "edge-prod"
    assert slug("Edge.Prod_02") == "edge-prod-02"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("生产-集群") == "生产-集群"
    assert slug("a" * 100) == "a" * 63
    assert slug("/// :: ") == ""


def test_show_json_gives_the_front_matter_and_the_result(cli, log, tmp_path) -> None:
    adopt(log, 1, cluster="edge-prod", by="U0BOB", review_by=dt.date(2031, 3, 31))
    out = tmp_path / "adr"
    export(cli, log, out)
    shown = cli("decisions", "show", "--db", log.path, "1", "--json")
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert list(record) == [*FIELDS, "result"]
    assert {k: v for k, v in record.items() if k != "result"} == front_matter(
        out / "0001-edge-prod-terway-edge.md"
    )
    assert record["result"] == log.get(1).result
    assert record["review-by"] == "2031-03-31"
    proposal = json.loads(cli("decisions", "show", "--db", log.path, "2", "--json").stdout)
    assert proposal["status"] == "proposed" and proposal["cluster"] is None
    assert proposal["outcome"] == "conflict" and proposal["plugin"] is None


def test_a_log_with_nothing_adopted_says_how_to_export_proposals(cli, log, tmp_path) -> None:
    out = tmp_path / "adr"
    result = export(cli, log, out)
    assert list(out.glob("*.md")) == []
    assert "none is adopted" in result.stderr and "--all" in result.stderr


def test_list_names_people_and_channels_and_says_what_a_decision_came_from(cli, log, kb) -> None:
    plan = read_question("location=ens nodes=50", kb).plan
    result = recommend(plan, kb).to_json()
    log.record(result=result, source="modal", channel="C0GENERAL", user="U0BOB", parent_id=1)
    log.record(
        result=result, source="thread-what-if", channel="C0GENERAL", user="U0ALICE", parent_id=1
    )
    log.record(result=result, source="slash", channel="C0OTHER", user="U0CAROL")
    listed = cli("decisions", "list", "--db", log.path).stdout
    assert "11 (adjusted from 1)" in listed
    assert "12 (what-if of 1)" in listed
    assert "general" in listed and "alice" in listed and "bob" in listed
    assert "C0GENERAL" not in listed and "U0ALICE" not in listed
    assert "C0OTHER" in listed and "U0CAROL" in listed  # no name kept: the id
    header = cli("decisions", "show", "--db", log.path, "11").stdout
    assert "adjusted from 1" in header and "channel general" in header and "user bob" in header


def test_file_name_of_a_proposal_and_of_an_adopted_decision(log) -> None:
    assert adr_file_name(log.get(1)) == "0001-terway-edge.md"
    assert adr_file_name(log.get(2)) == "0002-conflict.md"
    adopt(log, 1, cluster="Edge Prod", by="U0ALICE")
    assert adr_file_name(log.get(1)) == "0001-edge-prod-terway-edge.md"
