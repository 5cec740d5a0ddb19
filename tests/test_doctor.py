"""`netplugin doctor` against the fake Slack: all good exits 0; a missing scope, a refused token,
a missing setting, a pending migration and an impossible database path are each one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import main
from bot.decisions import DecisionLog
from bot.decisions.migrations import migrations
from bot.fakeslack import FakeSlack
from bot.slack.ids import BOT_SCOPES

ENV = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "PORT",
    "NETPLUGIN_DB",
)  # fmt: skip
SECRET = "doctor-signing-secret"


@pytest.fixture
def fake():
    with FakeSlack(bot_token="xoxb-doctor-1234-abcd") as fake:
        yield fake


@pytest.fixture
def env(monkeypatch, fake, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("NETPLUGIN_DB", str(tmp_path / "decisions.db"))
    return monkeypatch


def doctor(*args: str):
    result = CliRunner().invoke(main, ["doctor", *args])
    lines = result.output.strip().splitlines()
    return result.exit_code, lines, result.output


def test_all_good_exits_0(env, fake, tmp_path) -> None:
    DecisionLog(str(tmp_path / "decisions.db")).close()  # created and migrated, as serve does
    code, lines, output = doctor()
    assert code == 0, output
    assert lines[-1].startswith("All good")
    assert not [line for line in lines if line.startswith("FIX")]
    assert any("accepted SLACK_BOT_TOKEN" in line and "U0NETBOT" in line for line in lines)
    assert any("every scope" in line for line in lines)
    applied = len(migrations.applied(Database(str(tmp_path / "decisions.db"))))
    up_to_date = f"is writable and up to date ({applied} migrations applied)"
    assert any(up_to_date in line for line in lines)
    assert any(line.startswith("ok   Knowledge") for line in lines)
    assert len(fake.calls_to("auth.test")) == 1
    assert fake.bot_token not in output and SECRET not in output
    assert Database(str(tmp_path / "decisions.db")).table_names().count("_doctor_write_check") == 0


def test_a_missing_scope_is_named_with_the_fix(env, fake) -> None:
    fake.granted_scopes = (*(s for s in BOT_SCOPES if s != "chat:write"), "reactions:write")
    code, lines, _ = doctor()
    assert code == 1
    (missing,) = [line for line in lines if line.startswith("FIX")]
    assert "lacks chat:write:" in missing and "netplugin manifest" in missing
    assert any(line.startswith("note") and "reactions:write" in line for line in lines)
    assert lines[-1] == "1 thing to fix before `netplugin serve`."


def test_a_refused_token_is_reported_without_its_value(env, fake) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-not-the-right-one")
    code, lines, output = doctor()
    assert code == 1
    (refused,) = [line for line in lines if line.startswith("FIX")]
    assert "Slack refused SLACK_BOT_TOKEN" in refused and "(invalid_auth)" in refused
    assert "xoxb-not-the-right-one" not in output
    assert not any("scope" in line for line in lines)  # nothing to compare without a token


def test_missing_and_wrong_kind_of_tokens_for_socket_mode(env, fake) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxp-a-user-token")
    code, lines, output = doctor("--mode", "socket")
    assert code == 1
    fixes = [line for line in lines if line.startswith("FIX")]
    assert any("SLACK_APP_TOKEN is not set: socket mode needs it" in line for line in fixes)
    assert any("SLACK_BOT_TOKEN does not start with xoxb-" in line for line in fixes)
    assert "xoxp-a-user-token" not in output


def test_pending_migrations_are_listed_and_an_unusable_path_is_a_fix(env, tmp_path) -> None:
    old = tmp_path / "old.db"
    migrations.apply(Database(str(old)), stop_before="m002_idempotency_and_scope")
    env.setenv("NETPLUGIN_DB", str(old))
    code, lines, _ = doctor()
    pending = [line for line in lines if "pending migration" in line]
    assert pending and pending[0].startswith("note") and "m002_idempotency_and_scope" in pending[0]
    assert code == 0  # the next start applies them
    assert migrations.pending(Database(str(old)))  # doctor migrated nothing

    a_file = tmp_path / "not-a-directory"
    a_file.write_text("")
    env.setenv("NETPLUGIN_DB", str(a_file / "data" / "netplugin.db"))
    code, lines, _ = doctor()
    assert code == 1
    assert any(line.startswith("FIX") and "not a directory" in line for line in lines)


def test_no_token_at_all_says_what_to_set(env) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.delenv(name)
    code, lines, _ = doctor()
    assert code == 1
    assert any(line.startswith("FIX") and "playground" in line for line in lines)


def test_an_invalid_setting_is_one_fix_line_naming_it_not_its_value(env) -> None:
    env.setenv("PORT", "not-a-port")
    code, lines, output = doctor()
    assert code == 1
    assert lines[0] == "FIX  Invalid setting: PORT."
    assert "not-a-port" not in output
