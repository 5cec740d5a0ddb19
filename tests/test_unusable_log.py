"""A decision log that cannot be used at start (issue 11, defect 9): `netplugin serve` says so
in one line naming the file and what to do, and exits 2 (not a traceback); `netplugin doctor`
proves that a path that does not exist yet can be created and written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.cli import main
from bot.decisions import DecisionLog
from bot.decisions import database as database_module
from bot.decisions.database import LogFileError
from bot.decisions.migrations import migrations
from bot.fakeslack import FakeSlack

ENV = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT",
    "NETPLUGIN_DB",
)  # fmt: skip


@pytest.fixture
def env(monkeypatch):
    from bot.runtime import lifecycle

    def never(*args, **kwargs):
        raise AssertionError("netplugin serve started on a log it cannot use")

    monkeypatch.setattr(lifecycle, "run_http", never)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "unusable-log-secret")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        yield monkeypatch


def serve(db: Path):
    result = CliRunner().invoke(
        main, ["serve", "--host", "127.0.0.1", "--port", "1"], env={"NETPLUGIN_DB": str(db)}
    )
    return result.exit_code, result.output.strip().splitlines(), result


def test_serve_on_a_corrupt_database_names_it_in_one_line_and_exits_2(env, tmp_path) -> None:
    db = tmp_path / "decisions.db"
    db.write_bytes(b"this is not a SQLite database, it was overwritten\n" * 100)
    code, lines, result = serve(db)
    assert code == 2, result.output + repr(result.exception)
    assert len(lines) == 1, lines
    (line,) = lines
    assert str(db) in line and "not a SQLite database" in line and "backup" in line
    assert "Traceback" not in result.output and not line.startswith("{")


def test_serve_on_a_read_only_database_names_it_in_one_line_and_exits_2(
    env, tmp_path, monkeypatch
) -> None:
    db = tmp_path / "decisions.db"
    DecisionLog(str(db)).close()  # a log made by an earlier start
    real_connect = sqlite3.connect

    def read_only(path, *args, **kwargs):  # what SQLite gives a user who may not write the file
        return real_connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(database_module.sqlite3, "connect", read_only)
    code, lines, result = serve(db)
    assert code == 2, result.output + repr(result.exception)
    (line,) = lines
    assert str(db) in line and "cannot be written" in line and "write access" in line


def test_decisions_cli_on_a_corrupt_database_says_the_same(tmp_path) -> None:
    db = tmp_path / "decisions.db"
    db.write_bytes(b"\x00garbage" * 512)
    result = CliRunner().invoke(main, ["decisions", "list", "--db", str(db)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert str(db) in line and "backup" in line


def test_doctor_says_fix_for_a_path_that_cannot_be_created(env) -> None:
    env.setenv("NETPLUGIN_DB", "/proc/nope/x.db")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "/proc/nope/x.db" in line]
    assert line.startswith("FIX") and "cannot be created" in line


def test_doctor_creates_and_removes_a_new_path_to_prove_it(env, tmp_path) -> None:
    db = tmp_path / "data" / "more" / "decisions.db"
    env.setenv("NETPLUGIN_DB", str(db))
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("ok") and "does not exist yet" in line
        for line in result.output.splitlines()
    )
    assert list(tmp_path.iterdir()) == []  # nothing left behind


# --- must_exist: the operator's read commands open an existing log only (issue 13) ------------


def test_must_exist_refuses_a_missing_file_and_creates_nothing(tmp_path) -> None:
    missing = tmp_path / "no" / "such.db"
    with pytest.raises(LogFileError) as caught:
        DecisionLog(missing, must_exist=True)
    assert (caught.value.problem, caught.value.path) == ("missing", str(missing))
    assert list(tmp_path.iterdir()) == []
    DecisionLog(tmp_path / "made.db").close()
    log = DecisionLog(tmp_path / "made.db", must_exist=True)
    assert log.count() == 0
    log.close()


def test_must_exist_never_creates_a_file_removed_after_the_check(tmp_path, monkeypatch) -> None:
    """SQLite opens it with mode=rw: gone between the check and the open, it is not made."""

    class Seen(type(Path())):
        def exists(self, *args, **kwargs) -> bool:
            return True

    monkeypatch.setattr(database_module, "Path", Seen)
    with pytest.raises(LogFileError) as caught:
        DecisionLog(tmp_path / "gone.db", must_exist=True)
    assert caught.value.problem == "cannot-open"
    assert list(tmp_path.iterdir()) == []


def test_must_exist_migrates_a_log_of_an_earlier_version(tmp_path) -> None:
    path = tmp_path / "v1.db"
    earlier = Migrations(migrations.name)
    first = migrations._migrations[0]
    earlier(name=first.name)(first.fn)
    earlier.apply(Database(path))
    log = DecisionLog(path, must_exist=True)
    assert migrations.pending(log.db) == []
    log.close()
