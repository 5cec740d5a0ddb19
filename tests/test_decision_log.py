"""The decision log: migrations, one-transaction writes, idempotency, lookups, scoping."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.decisions import DecisionLog
from bot.decisions import migrations as schema
from bot.decisions.preflight import check_token, token_for


@pytest.fixture
def result(kb):
    def make(text: str = "location=ens nodes=500") -> dict:
        parsed = read_question(text, kb)
        return recommend(parsed.plan, kb, parsed.understood).to_json()

    return make


def test_migrations_on_an_empty_database(tmp_path):
    log = DecisionLog(tmp_path / "a.db")
    applied = [m.name for m in schema.migrations.applied(log.db)]
    assert applied == [
        "m001_decisions",
        "m002_idempotency_and_scope",
        "m003_request_inbox",
        "m004_health_probe",
        "m005_posting_state",
        "m006_confidence",
        "m007_card_thread",
        "m008_lifecycle",
        "m009_names",
        "m010_preflight",
        "m011_report_posting",
    ]
    assert {"preflight_key", "preflight_reports", "verifications"} <= set(log.db.table_names())
    assert "posted_at" in log.db["preflight_reports"].columns_dict
    columns = set(log.db["decisions"].columns_dict)
    assert {"request_key", "visibility", "post_state", "post_owner", "post_error"} <= columns
    assert "confidence" in columns
    assert "thread_ts" in columns
    assert {"state", "cluster", "adopted_by", "review_by", "supersedes", "superseded_by"} <= columns
    assert log.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Opening again applies nothing twice.
    DecisionLog(tmp_path / "a.db").close()


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])  # every earlier version
def test_migrations_on_a_database_of_an_earlier_version(tmp_path, result, version):
    path = tmp_path / f"v{version}.db"
    earlier = Migrations(schema.migrations.name)
    for migration in schema.migrations._migrations[:version]:
        earlier(name=migration.name)(migration.fn)
    old = Database(path)
    earlier.apply(old)
    if version == 3:  # the readiness probe of version 3 made its table itself
        old.execute("CREATE TABLE _health (id INTEGER PRIMARY KEY, at TEXT)")
    r = result()
    lifecycle = {"state": "proposed"} if version >= 8 else {}  # as version 8 wrote them
    old["decisions"].insert(
        {
            "created_at": "2026-01-01T00:00:00+00:00",
            "channel": "C1",
            "source": "slash",
            "plan": json.dumps(r["plan"]),
            "result": json.dumps(r),
            "status": r["status"],
            "plugin": r["plugin"],
            "knowledge_version": r["knowledge_version"],
            "message_ts": "111.222",
            **lifecycle,
        }
    )
    for n, source in enumerate(("slash", "modal", "thread-what-if")):  # never attached
        old["decisions"].insert(
            {
                "created_at": f"2026-01-01T00:00:0{n + 1}+00:00",
                "channel": "C1",
                "source": source,
                "plan": json.dumps(r["plan"]),
                "result": json.dumps(r),
                "status": r["status"],
                "plugin": r["plugin"],
                "knowledge_version": r["knowledge_version"],
                **lifecycle,
            }
        )
    old.conn.close()

    log = DecisionLog(path)
    assert len(schema.migrations.pending(log.db)) == 0
    migrated = log.by_message("C1", "111.222")
    assert migrated is not None
    assert migrated.plugin == "terway-edge"
    assert migrated.request_key is None
    # Version 5: an attached card is posted; a card decision without one was being posted when
    # that version stopped (a restart looks for it before posting); other decisions have no card.
    if version < 5:
        assert migrated.post_state == "posted"
        assert [d.post_state for d in log.query()[1:]] == ["posting", "posting", None]
        assert [d.source for d in log.unposted("2000-01-01", "this-run")] == ["slash", "modal"]
    # Version 6: a recommendation's confidence, from the result it was logged with.
    if version < 6:
        assert migrated.confidence == r["confidence"] == "firm"
    # Version 7: a card's thread; the cards logged before were posted in the channel.
    assert migrated.thread_ts is None
    # Version 8: every decision logged before is a proposal.
    assert {d.state for d in log.query()} == {"proposed"}
    # Version 9: no name kept yet; every id stands for itself.
    assert log.db["names"].count == 0
    # Version 10: no preflight report, and no key until a token is first asked for.
    assert log.db["verifications"].count == 0 and log.db["preflight_key"].count == 0
    assert check_token(log, migrated.id, token_for(log, migrated.id))
    # And the new version's features work on it.
    assert log.inbox.accept("T1", "slash", {"text": "x"})
    _, created = log.record(result=r, source="slash", request_key="T1")
    assert created
    assert log.record(result=r, source="slash", request_key="T1")[1] is False
    assert log.inbox.pending("2000-01-01") == []  # the decision closed the kept request


def test_record_then_attach_message(fresh_log, result):
    decision, created = fresh_log.record(
        result=result(), source="slash", raw_text="x", channel="C1", user="U1", team="T1"
    )
    assert created
    assert decision.message_ts is None
    fresh_log.attach_message(decision.id, channel="C1", ts="1.5", permalink="https://x/p1")
    found = fresh_log.by_message("C1", "1.5")
    assert found.id == decision.id
    assert found.permalink == "https://x/p1"
    assert found.result["plugin"] == "terway-edge"
    assert fresh_log.by_message("C2", "1.5") is None


def test_posting_is_claimed_once_then_posted_or_failed(fresh_log, result):
    card, _ = fresh_log.record(result=result(), source="slash", channel="C1", request_key="T1")
    other, _ = fresh_log.record(result=result(), source="modal", user="U1", request_key="V1")
    cli, _ = fresh_log.record(result=result(), source="cli")
    assert (card.post_state, other.post_state, cli.post_state) == ("pending", "pending", None)
    assert fresh_log.claim_post(card.id, "run-1")
    assert not fresh_log.claim_post(card.id, "run-1")  # a replay in the same run
    assert not fresh_log.claim_post(card.id, "run-2")
    assert not fresh_log.take_over_post(card.id, "run-1")  # its own claim: in flight
    # What a restart finishes: the pending one, and one a dead run was posting.
    assert [d.id for d in fresh_log.unposted("2000-01-01", "run-1")] == [other.id]
    assert [d.id for d in fresh_log.unposted("2000-01-01", "run-2")] == [card.id, other.id]
    assert fresh_log.take_over_post(card.id, "run-2")
    assert not fresh_log.take_over_post(card.id, "run-2")
    fresh_log.attach_message(card.id, channel="C1", ts="1.5")
    fresh_log.attach_permalink(card.id, "https://x/p15")
    posted = fresh_log.get(card.id)
    assert (posted.post_state, posted.message_ts, posted.permalink) == (
        "posted",
        "1.5",
        "https://x/p15",
    )
    assert not fresh_log.claim_post(card.id, "run-3")
    assert fresh_log.claim_post(other.id, "run-2")
    fresh_log.post_failed(other.id, "not_in_channel")
    assert fresh_log.get(other.id).post_state == "failed"
    assert not fresh_log.claim_post(other.id, "run-3")  # told it failed: never posted again
    assert not fresh_log.take_over_post(other.id, "run-3")
    assert fresh_log.unposted("2000-01-01", "run-3") == []


def test_a_retried_request_key_logs_once(fresh_log, result):
    first, created = fresh_log.record(result=result(), source="slash", request_key="trigger-1")
    again, created_again = fresh_log.record(
        result=result(), source="slash", request_key="trigger-1"
    )
    assert created and not created_again
    assert again.id == first.id
    assert fresh_log.count() == 1


def test_claim_is_true_once(fresh_log):
    assert fresh_log.claims.claim("event:Ev1")
    assert not fresh_log.claims.claim("event:Ev1")
    assert fresh_log.claims.claim("event:Ev2")


def test_history_is_newest_first_and_per_channel(fresh_log, result):
    for channel in ("C1", "C2", "C1", "C1"):
        fresh_log.record(result=result(), source="slash", channel=channel)
    ids = [d.id for d in fresh_log.history("C1", limit=2)]
    assert ids == [4, 3]


def test_what_if_children(fresh_log, result):
    parent, _ = fresh_log.record(result=result(), source="slash", channel="C1")
    child, _ = fresh_log.record(
        result=result("nodes=2000"), source="thread-what-if", channel="C1", parent_id=parent.id
    )
    assert [d.id for d in fresh_log.children(parent.id)] == [child.id]
    with pytest.raises(sqlite3.IntegrityError):
        fresh_log.record(result=result(), source="thread-what-if", parent_id=999)


def test_private_decisions_are_visible_only_where_made(fresh_log, result):
    private, _ = fresh_log.record(
        result=result(), source="slash", channel="G1", visibility="private"
    )
    public, _ = fresh_log.record(result=result(), source="slash", channel="C1", visibility="public")
    assert private.visible_from("G1")
    assert not private.visible_from("C1")
    assert not private.visible_from(None)
    assert public.visible_from("C9")


def test_no_secret_reaches_the_log(tmp_path, result, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-token-value")
    log = DecisionLog(tmp_path / "s.db")
    log.record(result=result(), source="slash", raw_text="nodes=5")
    log.close()
    assert b"xoxb-secret-token-value" not in (tmp_path / "s.db").read_bytes()
