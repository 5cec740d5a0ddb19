"""Adopting a decision: it becomes the team's decision for a named cluster, in one transaction
with the cluster's previous adopted decision becoming superseded (both directions kept).

    adoption = adopt(log, decision_id, cluster="edge-prod", by="U0ALICE")

Idempotent: adopting a decision again for the same cluster (a replayed click, a retried
command) changes nothing and says so (`adopted` False). Only a recommendation can be adopted,
and a decision is adopted for one cluster.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from bot.decisions.database import now
from bot.decisions.store import Decision, DecisionLog

WRITE_TIMEOUT = 5.0  # seconds: an operator's or a user's click, not the ack path


class Adoption(BaseModel):
    decision: Decision
    adopted: bool  # False: it already was, for this cluster
    superseded: Decision | None = None  # the cluster's decision it replaced


class AdoptRefused(Exception):
    """Why a decision cannot be adopted: a code and its numbers (templates/messages.yaml)."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


def adopt(
    log: DecisionLog,
    decision_id: int,
    *,
    cluster: str,
    by: str,
    review_by: dt.date | None = None,
) -> Adoption:
    with log.file.writing(WRITE_TIMEOUT) as db:
        table = db["decisions"]
        row = next(iter(table.rows_where("id = ?", [decision_id], limit=1)), None)
        if row is None:
            raise AdoptRefused("decision-missing", id=decision_id)
        decision = Decision.from_row(row)
        if decision.status != "recommended":
            raise AdoptRefused("adopt-not-recommended", id=decision_id, status=decision.status)
        if decision.state == "adopted":
            if decision.cluster == cluster:
                return Adoption(decision=decision, adopted=False)
            raise AdoptRefused("adopt-other-cluster", id=decision_id, cluster=decision.cluster)
        previous_row = next(
            iter(table.rows_where("cluster = ? AND state = 'adopted'", [cluster], limit=1)), None
        )
        previous = Decision.from_row(previous_row) if previous_row else None
        if previous is not None:
            table.update(previous.id, {"state": "superseded", "superseded_by": decision_id})
        table.update(
            decision_id,
            {
                "state": "adopted",
                "cluster": cluster,
                "adopted_by": by,
                "adopted_at": now(),
                "review_by": review_by.isoformat() if review_by else None,
                "supersedes": previous.id if previous else decision.supersedes,
                "superseded_by": None,
            },
        )
        adopted = Decision.from_row(table.get(decision_id))
        superseded = Decision.from_row(table.get(previous.id)) if previous else None
    return Adoption(decision=adopted, adopted=True, superseded=superseded)


def adopted_decisions(log: DecisionLog) -> list[Decision]:
    """Each cluster's adopted decision, by cluster name."""
    with log.file.lock:
        rows = log.db["decisions"].rows_where("state = 'adopted'", order_by="cluster, id")
        return [Decision.from_row(r) for r in rows]


def proposals_of(log: DecisionLog, user: str, limit: int = 10) -> list[Decision]:
    """A user's most recent proposals (decisions not adopted), newest first."""
    with log.file.lock:
        rows = log.db["decisions"].rows_where(
            "user = ? AND state = 'proposed'", [user], order_by="id DESC", limit=limit
        )
        return [Decision.from_row(r) for r in rows]
