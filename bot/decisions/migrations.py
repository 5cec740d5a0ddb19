"""Schema migrations for the decision log (sqlite_utils.migrations.Migrations).

Never edit a migration that has shipped: add the next one. Tests run them on an empty database
and on one left by the previous version.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("netplugin-decisions")


@migrations()
def m001_decisions(db: Database) -> None:
    """Version 1: one row per decision, found again by its card's message."""
    db["decisions"].create(
        {
            "id": int,
            "created_at": str,  # ISO 8601, UTC
            "team": str,
            "channel": str,
            "user": str,
            "source": str,  # slash, modal, button, thread-what-if, cli
            "raw_text": str,
            "plan": str,  # JSON
            "result": str,  # JSON: the full Result as the user saw it
            "status": str,
            "plugin": str,
            "knowledge_version": str,
            "message_ts": str,
            "permalink": str,
            "parent_id": int,
        },
        pk="id",
        foreign_keys=[("parent_id", "decisions", "id")],
    )
    db["decisions"].create_index(["channel", "message_ts"])


@migrations()
def m002_idempotency_and_scope(db: Database) -> None:
    """Version 2: request keys (Slack retries, double clicks), channel visibility, fast history."""
    table = db["decisions"]
    table.add_column("request_key", str)
    table.add_column("visibility", str)  # public, private, dm, unknown, local
    table.create_index(["request_key"], unique=True)
    table.create_index(["channel", "id"])
    table.create_index(["parent_id"])
    db["handled_events"].create({"key": str, "created_at": str}, pk="key")


@migrations()
def m003_request_inbox(db: Database) -> None:
    """Version 3: requests accepted before the ack, so that nothing acknowledged is lost even
    when the process dies before the decision is made; the payload is dropped once it is done."""
    db["requests"].create(
        {"key": str, "kind": str, "received_at": str, "payload": str, "done_at": str},
        pk="key",
    )
    db["requests"].create_index(["done_at", "received_at"])


@migrations()
def m004_health_probe(db: Database) -> None:
    """Version 4: the one-row table /readyz writes to prove the log takes writes (made here, not
    by the probe; a log the probe created it in keeps it)."""
    db.execute("CREATE TABLE IF NOT EXISTS _health (id INTEGER PRIMARY KEY, at TEXT)")


@migrations()
def m005_posting_state(db: Database) -> None:
    """Version 5: the posting of a decision's card, claimed in the log so that it happens once:
    post_state pending → posting → posted | failed; post_owner, the run that claimed it (a
    restart takes over a dead run's); post_error, why it failed. A card already attached is
    posted; a card decision without one was being posted when the previous version stopped, with
    an outcome unknown (the next start looks for it in the channel before posting it)."""
    table = db["decisions"]
    table.add_column("post_state", str)
    table.add_column("post_owner", str)
    table.add_column("post_error", str)
    db.execute("UPDATE decisions SET post_state = 'posted' WHERE message_ts IS NOT NULL")
    db.execute(
        "UPDATE decisions SET post_state = 'posting'"
        " WHERE message_ts IS NULL AND source IN ('slash', 'modal')"
    )
    table.create_index(["post_state", "created_at"])


@migrations()
def m006_confidence(db: Database) -> None:
    """Version 6: how sure a recommendation was (firm, leaning), beside its status, so that a
    review can find the recommendations that were not enough to decide. Decisions logged before
    carry it in their result when they had one; older recommendations stay NULL (unknown)."""
    db["decisions"].add_column("confidence", str)
    db.execute(
        "UPDATE decisions SET confidence = json_extract(result, '$.confidence')"
        " WHERE status = 'recommended'"
    )


@migrations()
def m007_card_thread(db: Database) -> None:
    """Version 7: the thread a card was posted in (`thread_ts`, the parent message's ts), for a
    card that answers an @mention in the mention's thread: its retries post there, a lookup reads
    that thread, and a reply in it is about that card. NULL for a card posted in the channel."""
    table = db["decisions"]
    table.add_column("thread_ts", str)
    table.create_index(["channel", "thread_ts"])


@migrations()
def m008_lifecycle(db: Database) -> None:
    """Version 8: a decision's lifecycle. Every decision is `proposed`; adopting one makes it
    the team's decision for a named cluster (`adopted`: cluster, adopted_by, adopted_at,
    review_by), and the cluster's previous adopted decision `superseded`, both directions kept
    (supersedes, superseded_by). Decisions logged before are proposals."""
    table = db["decisions"]
    table.add_column("state", str)
    table.add_column("cluster", str)
    table.add_column("adopted_by", str)
    table.add_column("adopted_at", str)
    table.add_column("review_by", str)  # an ISO date; NULL: before the cluster is created
    table.add_column("supersedes", int)
    table.add_column("superseded_by", int)
    db.execute("UPDATE decisions SET state = 'proposed'")
    table.create_index(["cluster", "state"])
    table.create_index(["state", "adopted_at"])


@migrations()
def m009_names(db: Database) -> None:
    """Version 9: the names of the Slack users and channels behind decisions, as Slack last gave
    them (users.info, conversations.info), so that records and the CLI say who and where by
    name (bot/decisions/names.py). `name` NULL: resolved, and it has none (a DM)."""
    db["names"].create(
        {"id": str, "kind": str, "name": str, "resolved_at": str},  # kind: user, channel
        pk="id",
    )


@migrations()
def m010_preflight(db: Database) -> None:
    """Version 10: what `netplugin preflight check` found on real hosts (issue 15). The key
    that signs each decision's report token (one row, made when a token is first asked for;
    never logged nor exported: bot/decisions/preflight.py); the reports received, each usable
    once (`nonce` unique); and one verification per item measured, beside its decision."""
    db["preflight_key"].create({"id": int, "key": str, "created_at": str}, pk="id")
    db["preflight_reports"].create(
        {
            "id": int,
            "decision_id": int,
            "nonce": str,
            "host": str,
            "by": str,
            "sent_at": str,  # ISO 8601, UTC: when the host sent it
            "received_at": str,
            "results": int,  # how many items it carried
        },
        pk="id",
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    db["preflight_reports"].create_index(["nonce"], unique=True)
    db["verifications"].create(
        {
            "id": int,
            "report_id": int,
            "decision_id": int,
            "item": str,  # a checklist item's id (knowledge/checklist.yaml)
            "peer": str,
            "status": str,  # met, unmet, unknown
            "measured": str,
            "values": str,  # JSON: rtt_ms, path_mtu, pod_mtu, peer_as, route …
            "host": str,
            "by": str,
            "at": str,  # the report's sent_at
        },
        pk="id",
        foreign_keys=[
            ("report_id", "preflight_reports", "id"),
            ("decision_id", "decisions", "id"),
        ],
    )
    db["verifications"].create_index(["decision_id", "item"])


@migrations()
def m011_report_posting(db: Database) -> None:
    """Version 11: whether a preflight report was said in its decision's thread (`posted_at`),
    so that a report taken just before the process was killed is said by the next start, like a
    card. Reports received before were said then."""
    db["preflight_reports"].add_column("posted_at", str)
    db.execute("UPDATE preflight_reports SET posted_at = received_at")
    db["preflight_reports"].create_index(["posted_at", "received_at"])
