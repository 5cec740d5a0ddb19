"""Preflight reports: what `netplugin preflight check` measured on real hosts for a decision,
received by the bot (bot/runtime/reports.py), checked, and kept beside the decision.

    token = token_for(log, 12)              # shown to the channel's members with the checklist
    check_token(log, 12, token) → True      # constant time; another decision's token → False
    received = receive(log, kb, report)     # ReportRefused(code, …) when it is not to be taken
    verified(log, 12) → {"vxlan-port": [Verification(host="edge-1", peer="10.0.0.2", …)], …}

A decision's token is an HMAC-SHA256 of its id under one key the log keeps (made the first time
a token is asked for, secrets.token_bytes). Socket Mode has no signing secret, and a key in the
log survives restarts and backups with the decisions it signs. The key is in a table of its own
(`preflight_key`): never logged, never in `decisions export` (decisions only), hidden from
datasette; whoever can read the log's file can make tokens, as they can rewrite decisions.

A report is taken at most once (its nonce is unique in the log), only with its decision's token,
only when sent within MAX_AGE before and MAX_AHEAD after the bot's clock, and only about items
of the connectivity checklist. The report and its verifications are one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from bot.core.knowledge import Knowledge
from bot.core.preflight import ItemStatus, Report
from bot.decisions.database import now
from bot.decisions.store import Decision, DecisionLog

KEY_BYTES = 32
WRITE_TIMEOUT = 5.0  # seconds: a report's writer waits this long for the log, then it is told
# Policy (no source gives a number): a report is a few seconds old when it arrives; ten minutes
# allow for a slow link and a clock a little behind, two ahead for a clock a little fast.
MAX_AGE = dt.timedelta(minutes=10)
MAX_AHEAD = dt.timedelta(minutes=2)
SHOWN_PER_ITEM = 1000  # verifications read for one decision's checklist, newest first
_CONTEXT = b"netplugin-preflight-report:"  # what the key signs, before the decision's id
# A token says what it is, as Slack's do (xoxb-): log redaction (bot/runtime/logs.py) and secret
# scanners recognise it wherever it is pasted.
TOKEN_PREFIX = "npf-"


class ReportRefused(Exception):
    """Why a report is not taken: a code of templates/messages.yaml and its parameters. Codes:
    report-refused (no such decision, or not its token: the same answer for both),
    report-no-offset, report-stale, report-future, report-unknown-items, report-replayed."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


class Verification(BaseModel):
    """One item as measured on one host (towards one peer), from one report."""

    decision_id: int
    item: str
    status: ItemStatus
    peer: str | None = None
    measured: str = ""
    values: dict[str, Any] = {}
    host: str
    by: str = ""
    at: str  # ISO 8601, UTC: when the host sent it


class Received(BaseModel):
    decision: Decision
    report_id: int
    host: str
    by: str
    at: str  # ISO 8601, UTC: when the host sent it
    verifications: list[Verification]


# --- the key and the tokens ---------------------------------------------------------------------


def _read_key(db: Any) -> bytes | None:
    row = db.execute("SELECT key FROM preflight_key WHERE id = 1").fetchone()
    return bytes.fromhex(row[0]) if row else None


def _key(log: DecisionLog, *, make: bool) -> bytes | None:
    """The log's key; made (once, whoever asks first) when `make` and there is none yet."""
    with log.file.lock:
        key = _read_key(log.db)
    if key is not None or not make:
        return key
    with log.file.writing(WRITE_TIMEOUT) as db:
        db.execute(
            "INSERT OR IGNORE INTO preflight_key (id, key, created_at) VALUES (1, ?, ?)",
            [secrets.token_bytes(KEY_BYTES).hex(), now()],
        )
        return _read_key(db)


def _sign(key: bytes, decision_id: int) -> str:
    digest = hmac.new(key, _CONTEXT + str(decision_id).encode(), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest


def token_for(log: DecisionLog, decision_id: int) -> str:
    """The token that lets a report about `decision_id` in (`npf-` and 64 hex digits). Raises
    LogUnavailable when the key is still to be made and the log takes no write now."""
    key = _key(log, make=True)
    assert key is not None
    return _sign(key, decision_id)


def check_token(log: DecisionLog, decision_id: int, token: str) -> bool:
    """Whether `token` is `decision_id`'s, compared in constant time. With no key yet, no token
    was ever given: False (a key is still computed with, so the answer takes as long)."""
    key = _key(log, make=False)
    expected = _sign(key or secrets.token_bytes(KEY_BYTES), decision_id)
    given = token.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode(), given) and key is not None


# --- receiving a report --------------------------------------------------------------------------


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds")


def check(
    log: DecisionLog, kb: Knowledge, report: Report, *, at: dt.datetime | None = None
) -> Decision:
    """The decision `report` is about, when it may be taken (its nonce aside: `receive` checks
    that in the transaction that records it); ReportRefused otherwise."""
    decision = log.get(report.decision)
    token_ok = check_token(log, report.decision, report.token)  # whether or not it exists
    if decision is None or not token_ok:
        raise ReportRefused("report-refused")
    sent = report.sent_at
    if sent.tzinfo is None or sent.utcoffset() is None:
        raise ReportRefused("report-no-offset")
    at = at or dt.datetime.now(dt.UTC)
    if sent < at - MAX_AGE:
        raise ReportRefused("report-stale", minutes=int(MAX_AGE.total_seconds() // 60))
    if sent > at + MAX_AHEAD:
        raise ReportRefused("report-future", minutes=int(MAX_AHEAD.total_seconds() // 60))
    known = {item.id for item in kb.checklist}
    unknown = sorted({r.id for r in report.results} - known)
    if unknown:
        raise ReportRefused("report-unknown-items", ids=unknown, known=sorted(known))
    return decision


def receive(
    log: DecisionLog, kb: Knowledge, report: Report, *, at: dt.datetime | None = None
) -> Received:
    """Check `report` and record it with one verification per result, in one transaction.
    ReportRefused when it may not be taken (report-replayed: its nonce was taken before);
    LogUnavailable when the log takes no write now (nothing was recorded)."""
    decision = check(log, kb, report, at=at)
    sent_at = _utc(report.sent_at)
    rows = [
        Verification(
            decision_id=decision.id,
            item=r.id,
            status=r.status,
            peer=r.peer,
            measured=r.measured,
            values=r.values,
            host=report.host,
            by=report.by,
            at=sent_at,
        )
        for r in report.results
    ]
    with log.file.writing(WRITE_TIMEOUT) as db:
        taken = db.execute(
            "SELECT 1 FROM preflight_reports WHERE nonce = ?", [report.nonce]
        ).fetchone()
        if taken:
            raise ReportRefused("report-replayed")
        report_id = (
            db["preflight_reports"]
            .insert(
                {
                    "decision_id": decision.id,
                    "nonce": report.nonce,
                    "host": report.host,
                    "by": report.by,
                    "sent_at": sent_at,
                    "received_at": now(),
                    "results": len(rows),
                }
            )
            .last_pk
        )
        db["verifications"].insert_all({**_row(v), "report_id": report_id} for v in rows)
    return Received(
        decision=decision,
        report_id=report_id,
        host=report.host,
        by=report.by,
        at=sent_at,
        verifications=rows,
    )


def mark_posted(log: DecisionLog, report_id: int) -> None:
    """The report was said in its thread (or has none): the next start leaves it."""
    with log.file.writing(WRITE_TIMEOUT) as db:
        db["preflight_reports"].update(report_id, {"posted_at": now()})


def unposted(log: DecisionLog, since: str) -> list[Received]:
    """Reports received since `since` and not said in their thread yet: what a killed process
    had taken (and answered) but not posted."""
    with log.file.lock:
        reports = list(
            log.db["preflight_reports"].rows_where(
                "posted_at IS NULL AND received_at >= ?", [since], order_by="id"
            )
        )
        found = []
        for report in reports:
            rows = log.db["verifications"].rows_where(
                "report_id = ?", [report["id"]], order_by="id"
            )
            decision = log.db["decisions"].get(report["decision_id"])
            found.append(
                Received(
                    decision=Decision.from_row(decision),
                    report_id=report["id"],
                    host=report["host"],
                    by=report["by"] or "",
                    at=report["sent_at"],
                    verifications=[_verification(r) for r in rows],
                )
            )
    return found


def _row(v: Verification) -> dict[str, Any]:
    row = v.model_dump()
    row["values"] = json.dumps(v.values, sort_keys=True, default=str)
    return row


# --- reading ------------------------------------------------------------------------------------


def verified(log: DecisionLog, decision_id: int) -> dict[str, list[Verification]]:
    """Item id → what was measured for it, newest first: the latest verification of each
    (host, peer) only (a check run again replaces what it found before)."""
    with log.file.lock:
        rows = list(
            log.db["verifications"].rows_where(
                "decision_id = ?", [decision_id], order_by="id DESC", limit=SHOWN_PER_ITEM
            )
        )
    return latest(_verification(r) for r in rows)


def latest(found: Iterable[Verification]) -> dict[str, list[Verification]]:
    """`found` (newest first) by item, keeping the first of each (host, peer)."""
    by_item: dict[str, list[Verification]] = {}
    seen: set[tuple[str, str, str | None]] = set()
    for v in found:
        if (v.item, v.host, v.peer) in seen:
            continue
        seen.add((v.item, v.host, v.peer))
        by_item.setdefault(v.item, []).append(v)
    return by_item


def _verification(row: dict[str, Any]) -> Verification:
    values = json.loads(row["values"]) if row.get("values") else {}
    fields = {k: row[k] for k in Verification.model_fields if k != "values" and k in row}
    return Verification(**fields, values=values if isinstance(values, dict) else {})
