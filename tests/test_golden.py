"""Golden files for what people read besides the Slack card (tests/test_slack_render.py): the
explanation (the Explain button's message, `netplugin decisions show`), the card in a terminal
(`netplugin recommend`) and the decision record (`netplugin decisions export --format adr`).

A change to any of them is reviewable: UPDATE_GOLDEN=1 rewrites tests/golden/, and the diff
says what a reader would now see. What changes from run to run is replaced: the knowledge
version (KBVERSION), the time a decision was logged or adopted (CREATED_AT, DATE).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from test_slack_render import GOLDEN, KB, NAMES, PLANS, result_for

from bot.cli import advice
from bot.cli import decisions as decisions_cli
from bot.decisions import DecisionLog, names
from bot.decisions.adoption import adopt
from bot.slack import render


def matches_golden(
    name: str, text: str, *, created_at: tuple[str, ...] = (), dates: tuple[str, ...] = ()
) -> None:
    for stamp in created_at:
        text = text.replace(stamp, "CREATED_AT")
    for date in dates:  # days a decision was logged or adopted
        text = text.replace(date, "DATE")
    text = text.replace(KB.version, "KBVERSION")
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs: review it"


@pytest.fixture
def printed(monkeypatch) -> list[str]:
    """The Markdown the CLI hands to rich to print (the templates' output, before styling)."""
    seen: list[str] = []
    monkeypatch.setattr(advice, "print_markdown", seen.append)
    monkeypatch.setattr(decisions_cli, "print_markdown", seen.append)
    return seen


@pytest.mark.parametrize("name", sorted(PLANS))
def test_explanation_matches_golden_file(name: str) -> None:
    """What the Explain button posts in the card's thread."""
    message = render.explanation(result_for(PLANS[name]), plugin_names=NAMES)
    matches_golden(f"explain_{name}.json", json.dumps(message, indent=2, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("name", sorted(PLANS))
def test_cli_card_matches_golden_file(name: str, cli, printed) -> None:
    """`netplugin recommend TEXT`: templates/cli/card.md.j2."""
    result = cli("recommend", *PLANS[name].split())
    assert result.exit_code == 0, result.output
    (card,) = printed
    matches_golden(f"cli_card_{name}.md", card + "\n")


@pytest.mark.parametrize("name", sorted(PLANS))
def test_adr_matches_golden_file(name: str, cli, tmp_path: Path) -> None:
    """`netplugin recommend --log` then `netplugin decisions export --format adr`."""
    db, out = tmp_path / "netplugin.db", tmp_path / "adr"
    assert cli("recommend", "--log", str(db), *PLANS[name].split()).exit_code == 0
    export = ("decisions", "export", "--db", str(db), "--format", "adr", "--out", str(out))
    exported = cli(*export, "--all")  # a proposal: not exported by default
    assert exported.exit_code == 0, exported.output
    (adr,) = out.glob("*.md")
    (decision,) = DecisionLog(db).query()
    assert adr.name == f"0001-{decision.plugin or decision.status.replace('_', '-')}.md"
    matches_golden(f"adr_{name}.md", adr.read_text(encoding="utf-8"), dates=_days(decision))


def _days(*decisions) -> tuple[str, ...]:
    return tuple({t[:10] for d in decisions for t in (d.created_at, d.adopted_at) if t})


@pytest.fixture
def what_if(tmp_path: Path) -> tuple[Path, list[str]]:
    """A decision made in Slack, its card posted, and a what-if asked in its thread: a log with
    every field the header and the record show. Its path, and the decisions' times."""
    db = tmp_path / "netplugin.db"
    log = DecisionLog(db)
    parent, _ = log.record(
        result=result_for(PLANS["recommended"]),
        source="slash",
        raw_text=PLANS["recommended"],
        team="T0TEAM",
        channel="C0GENERAL",
        visibility="public",
        user="U0ALICE",
    )
    permalink = "https://example.slack.com/archives/C0GENERAL/p1700000000000100"
    log.attach_message(parent.id, channel="C0GENERAL", ts="1700000000.000100", permalink=permalink)
    child, _ = log.record(
        result=result_for(PLANS["recommended"] + " cross-lan=yes leased-line=no"),
        source="thread-what-if",
        raw_text="what if cross-lan=yes leased-line=no",
        team="T0TEAM",
        channel="C0GENERAL",
        visibility="public",
        user="U0BOB",
        parent_id=parent.id,
    )
    stamps = [d.created_at for d in log.query()]
    log.close()
    assert child.id == 2
    return db, stamps


SLACK_DECISIONS = {"card": 1, "what_if": 2}


@pytest.mark.parametrize("name", sorted(SLACK_DECISIONS))
def test_decisions_show_matches_golden_file(name: str, what_if, cli, printed) -> None:
    """`netplugin decisions show ID`: templates/cli/decision-header.md.j2 above the card."""
    db, stamps = what_if
    result = cli("decisions", "show", "--db", str(db), str(SLACK_DECISIONS[name]))
    assert result.exit_code == 0, result.output
    (shown,) = printed
    matches_golden(f"decisions_show_{name}.md", shown + "\n", created_at=tuple(stamps))


@pytest.mark.parametrize("name", sorted(SLACK_DECISIONS))
def test_adr_of_a_decision_in_slack_matches_golden_file(name, what_if, cli, tmp_path) -> None:
    db, stamps = what_if
    out, decision_id = tmp_path / "adr", str(SLACK_DECISIONS[name])
    export = ("decisions", "export", "--db", str(db), "--format", "adr", "--out", str(out))
    exported = cli(*export, "--id", decision_id)
    assert exported.exit_code == 0, exported.output
    (adr,) = out.glob("*.md")
    text = adr.read_text(encoding="utf-8")
    matches_golden(
        f"adr_slack_{name}.md",
        text,
        created_at=tuple(stamps),
        dates=_days(*DecisionLog(db).query()),
    )


@pytest.fixture
def adopted(tmp_path: Path) -> Path:
    """Two recommendations made in Slack, their cards posted and the names of who asked and
    where resolved (as posting does), both adopted in turn for edge-prod: the first is
    superseded by the second."""
    db = tmp_path / "netplugin.db"
    log = DecisionLog(db)
    for id, kind, name in (
        ("U0ALICE", "user", "alice"),
        ("U0BOB", "user", "bob"),
        ("C0GENERAL", "channel", "general"),
    ):
        names.put(log, id, kind=kind, name=name)
    for n, (text, user) in enumerate(
        (
            (PLANS["recommended"], "U0ALICE"),
            ("location=edge-device nodes=12 dispersed=yes", "U0BOB"),
        )
    ):
        d, _ = log.record(
            result=result_for(text),
            source="slash",
            raw_text=text,
            team="T0TEAM",
            channel="C0GENERAL",
            visibility="public",
            user=user,
        )
        ts = f"1700000000.00010{n}"
        link = f"https://example.slack.com/archives/C0GENERAL/p170000000000010{n}"
        log.attach_message(d.id, channel="C0GENERAL", ts=ts, permalink=link)
    adopt(log, 1, cluster="edge-prod", by="U0BOB")
    adopt(log, 2, cluster="edge-prod", by="U0ALICE", review_by=dt.date(2031, 3, 31))
    log.close()
    return db


def test_adrs_of_adopted_decisions_match_golden_files(adopted, cli, tmp_path) -> None:
    """The default export: the cluster's adopted decision and the one it superseded, linked
    both ways, with people and the channel by name."""
    out = tmp_path / "adr"
    export = ("decisions", "export", "--db", str(adopted), "--format", "adr", "--out", str(out))
    assert cli(*export).exit_code == 0
    files = sorted(p.name for p in out.glob("*.md"))
    assert files == ["0001-edge-prod-terway-edge.md", "0002-edge-prod-flannel.md"]
    log = DecisionLog(adopted)
    stamps, dates = tuple(d.created_at for d in log.query()), _days(*log.query())
    for name, file in zip(("superseded", "adopted"), files, strict=True):
        text = (out / file).read_text(encoding="utf-8")
        matches_golden(f"adr_{name}.md", text, created_at=stamps, dates=dates)
