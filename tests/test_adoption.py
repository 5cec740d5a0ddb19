"""Adopting a decision for a cluster (issue 13): the lifecycle in the log, and what
`/netplugin adopt` and the Adopt modal accept."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.core.adopting import Adopt, AdoptProblem, read_adopt, review_date
from bot.core.engine import recommend
from bot.core.grammar import read_question
from bot.decisions.adoption import AdoptRefused, adopt, adopted_decisions, proposals_of

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def decide(fresh_log, kb):
    def make(text: str, user: str = "U0ALICE"):
        asked = read_question(text, kb)
        result = recommend(asked.plan, kb).to_json()
        return fresh_log.record(result=result, source="slash", channel="C1", user=user)[0]

    return make


def test_a_decision_is_proposed_until_adopted(fresh_log, decide):
    first = decide("location=ens nodes=500")
    assert first.state == "proposed" and first.cluster is None
    adoption = adopt(fresh_log, first.id, cluster="edge-prod", by="U0ALICE")
    assert adoption.adopted and adoption.superseded is None
    got = fresh_log.get(first.id)
    assert (got.state, got.cluster, got.adopted_by) == ("adopted", "edge-prod", "U0ALICE")
    assert got.adopted_at and got.review_by is None  # before the cluster is created
    assert [d.id for d in adopted_decisions(fresh_log)] == [first.id]


def test_adopting_again_changes_nothing(fresh_log, decide):
    first = decide("location=ens nodes=500")
    adopt(fresh_log, first.id, cluster="edge-prod", by="U0ALICE")
    again = adopt(fresh_log, first.id, cluster="edge-prod", by="U0BOB")
    assert not again.adopted
    assert fresh_log.get(first.id).adopted_by == "U0ALICE"


def test_a_second_decision_for_the_cluster_supersedes_the_first_both_ways(fresh_log, decide):
    first = decide("location=ens nodes=500")
    second = decide("location=edge-device nodes=12 dispersed=yes")
    adopt(fresh_log, first.id, cluster="edge-prod", by="U0ALICE")
    adoption = adopt(
        fresh_log, second.id, cluster="edge-prod", by="U0BOB", review_by=dt.date(2027, 1, 31)
    )
    assert adoption.superseded.id == first.id
    old, new = fresh_log.get(first.id), fresh_log.get(second.id)
    assert (old.state, old.superseded_by) == ("superseded", second.id)
    assert (new.state, new.supersedes, new.review_by) == ("adopted", first.id, "2027-01-31")
    assert [d.id for d in adopted_decisions(fresh_log)] == [second.id]
    # the first, adopted again, takes the cluster back
    back = adopt(fresh_log, first.id, cluster="edge-prod", by="U0ALICE")
    assert back.superseded.id == second.id
    assert fresh_log.get(first.id).superseded_by is None


def test_only_a_recommendation_for_one_cluster_is_adopted(fresh_log, decide):
    conflict = decide("cross-lan=yes leased-line=no l3=no")
    with pytest.raises(AdoptRefused) as refused:
        adopt(fresh_log, conflict.id, cluster="edge-prod", by="U0ALICE")
    assert refused.value.code == "adopt-not-recommended"
    first = decide("location=ens")
    adopt(fresh_log, first.id, cluster="edge-prod", by="U0ALICE")
    with pytest.raises(AdoptRefused) as other:
        adopt(fresh_log, first.id, cluster="edge-test", by="U0ALICE")
    assert other.value.code == "adopt-other-cluster"
    assert other.value.params["cluster"] == "edge-prod"
    with pytest.raises(AdoptRefused) as missing:
        adopt(fresh_log, 999, cluster="edge-prod", by="U0ALICE")
    assert missing.value.code == "decision-missing"


def test_proposals_of_a_user(fresh_log, decide):
    mine = [decide("location=ens"), decide("nodes=5")]
    decide("location=idc", user="U0BOB")
    adopt(fresh_log, mine[0].id, cluster="edge-prod", by="U0ALICE")
    assert [d.id for d in proposals_of(fresh_log, "U0ALICE")] == [mine[1].id]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Adopt(decision_id=12)),
        ("#12 edge-prod", Adopt(decision_id=12, cluster="edge-prod")),
        (
            "12 edge_prod.eu review-by=2027-01-31",
            Adopt(decision_id=12, cluster="edge_prod.eu", review_by=dt.date(2027, 1, 31)),
        ),
        ("12 集群-1", Adopt(decision_id=12, cluster="集群-1")),
    ],
)
def test_what_adopt_takes(text, expected):
    assert read_adopt(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "adopt-usage"),
        ("edge-prod", "adopt-usage"),
        ("12 edge prod", "adopt-usage"),
        ("12 -edge", "adopt-bad-cluster"),
        ("12 " + "x" * 64, "adopt-bad-cluster"),
        ("12 edge review-by=31/01/2027", "adopt-bad-review-by"),
        ("12 edge review-by=2026-01-01", "adopt-review-by-past"),
    ],
)
def test_what_adopt_refuses(text, code):
    problem = read_adopt(text, TODAY)
    assert isinstance(problem, AdoptProblem) and problem.code == code


def test_review_by_empty_is_before_creation():
    assert review_date("", TODAY) is None
    assert review_date("2026-11-26", TODAY) == TODAY


def test_an_operator_adopts_from_the_terminal(cli, tmp_path):
    db = str(tmp_path / "log.db")
    for text in ("location=ens nodes=500", "location=idc bgp=yes nodes=300", ""):
        assert cli("recommend", "--log", db, *text.split()).exit_code == 0
    first = cli("decisions", "adopt", "1", "--db", db, "--cluster", "edge-prod", "--by", "Ana")
    assert first.exit_code == 0, first.output
    assert "Decision 1 is adopted for edge-prod by Ana" in first.stdout
    second = cli(
        "decisions",
        "adopt",
        "2",
        "--db",
        db,
        "--cluster",
        "edge-prod",
        "--by",
        "Bo",
        "--review-by",
        "2099-01-31",
    )
    assert "It supersedes decision 1." in second.stdout
    shown = json.loads(cli("decisions", "export", "--db", db, "--format", "json").stdout)
    states = {d["id"]: (d.get("state"), d.get("superseded_by")) for d in shown}
    assert states[1] == ("superseded", 2) and states[2] == ("adopted", None)
    # what cannot be adopted is refused with why, and nothing changes
    nothing = cli("decisions", "adopt", "3", "--db", db, "--cluster", "edge-x", "--by", "Ana")
    assert nothing.exit_code == 1 and "recommends no plugin" in nothing.stderr
    bad = cli("decisions", "adopt", "2", "--db", db, "--cluster", "edge prod", "--by", "Ana")
    assert bad.exit_code == 2 and "is not a cluster name" in bad.output
    missing = cli(
        "decisions",
        "adopt",
        "1",
        "--db",
        str(tmp_path / "nope.db"),
        "--cluster",
        "edge",
        "--by",
        "Ana",
    )
    assert missing.exit_code == 2 and not (tmp_path / "nope.db").exists()
