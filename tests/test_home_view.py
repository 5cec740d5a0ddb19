"""The Home tab's view (bot/slack/home.py, templates/slack/home.json.j2): a golden file rendered
from a fixed log, who may see what, Block Kit's limits, escaping. Over the wire:
tests/scenario_tests/test_home.py."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from blockkit import block_problems
from test_slack_render import GOLDEN, NAMES, result_for

from bot.decisions import Decision
from bot.decisions.adoption import adopt
from bot.decisions.names import put
from bot.slack.home import PROPOSALS, Home, home_of, home_view, may_see
from bot.slack.render import MAX_VIEW_BLOCKS

PLANS = {
    "ens": "400 ENS nodes, need NLB, pods reachable from outside, no BGP",
    "idc": "location=idc nodes=40 bgp=yes l3=yes",
    "devices": "location=edge-device nodes=12 dispersed=yes",
    "conflict": "location=idc bgp=no leased-line=no cross-lan=yes pod-ip-access=yes",
}


def record(log, plan: str, *, channel: str, visibility: str, user: str = "U0ALICE") -> Decision:
    decision, _ = log.record(
        result=result_for(PLANS[plan]),
        source="slash",
        channel=channel,
        visibility=visibility,
        user=user,
        raw_text=PLANS[plan],
    )
    ts = f"1767225600.{decision.id:06d}"
    link = f"https://netplugin-test.slack.com/archives/{channel}/p1767225600{decision.id:06d}"
    log.attach_message(decision.id, channel=channel, ts=ts, permalink=link)
    return decision


@pytest.fixture
def fixed_log(fresh_log):
    """Adopted decisions for three clusters (one public, one in a private channel, one in a DM),
    one superseded, and alice's proposals; every time fixed."""
    log = fresh_log
    public = record(log, "ens", channel="C0GENERAL", visibility="public")
    old = record(log, "idc", channel="C0GENERAL", visibility="public", user="U0BOB")
    private = record(log, "idc", channel="C0PLATFORM", visibility="private", user="U0BOB")
    dm = record(log, "devices", channel="D0ALICE", visibility="dm")
    record(log, "devices", channel="C0GENERAL", visibility="public")  # alice's proposal
    record(log, "conflict", channel="C0GENERAL", visibility="public")  # nothing to adopt
    record(log, "idc", channel="D0ALICE", visibility="dm")  # alice's, in her DM
    record(log, "ens", channel="C0GENERAL", visibility="public", user="U0BOB")  # bob's
    adopt(log, old.id, cluster="edge-prod", by="U0BOB")
    adopt(log, public.id, cluster="edge-prod", by="U0ALICE", review_by=dt.date(2027, 3, 31))
    adopt(log, private.id, cluster="factory-idc", by="U0BOB")
    adopt(log, dm.id, cluster="shops", by="ops-oncall")  # adopted from the CLI, by a name
    put(log, "C0GENERAL", kind="channel", name="general")  # resolved by bot/slack/names.py
    with log.file.lock, log.db.conn:
        log.db.execute(
            "UPDATE decisions"
            " SET created_at = '2026-11-20T09:' || printf('%02d', id) || ':00.000+00:00'"
        )
        log.db.execute(
            "UPDATE decisions SET adopted_at = '2026-11-25T10:00:00.000+00:00'"
            " WHERE adopted_at IS NOT NULL"
        )
    return log


def everyone_is_a_member(channel: str) -> bool:
    return True


def nobody_is_a_member(channel: str) -> bool:
    return False


def test_home_view_matches_golden_file(fixed_log) -> None:
    """Home changes are reviewable: UPDATE_GOLDEN=1 rewrites tests/golden/home.json."""
    view = home_view(home_of(fixed_log, "U0ALICE", everyone_is_a_member), NAMES)
    text = json.dumps(view, indent=2, ensure_ascii=False) + "\n"
    path = GOLDEN / "home.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs: review it"
    assert block_problems(view["blocks"], MAX_VIEW_BLOCKS) == []


def test_what_alice_sees(fixed_log) -> None:
    home = home_of(fixed_log, "U0ALICE", everyone_is_a_member)
    assert [d.cluster for d in home.adopted] == ["edge-prod", "factory-idc", "shops"]
    # her recommendations still proposed, newest first: not the conflict, not bob's
    assert [(d.id, d.channel) for d in home.proposals] == [(7, "D0ALICE"), (5, "C0GENERAL")]


def test_a_non_member_sees_the_public_ones_only(fixed_log) -> None:
    carol = home_of(fixed_log, "U0CAROL", nobody_is_a_member)
    assert [d.cluster for d in carol.adopted] == ["edge-prod"]
    assert carol.proposals == []
    bob = home_of(fixed_log, "U0BOB", nobody_is_a_member)  # not alice's DM, ever
    assert "shops" not in [d.cluster for d in bob.adopted]
    assert [d.id for d in bob.proposals] == [8]


def decision(**fields) -> Decision:
    base = {
        "id": 1,
        "created_at": "2026-11-20T09:00:00.000+00:00",
        "source": "slash",
        "plan": {},
        "result": {},
        "status": "recommended",
        "plugin": "terway-edge",
        "knowledge_version": "kb",
        "user": "U0ALICE",
    }
    return Decision(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "alice", "bob_member", "bob_not"),
    [
        ({"visibility": "public", "channel": "C1"}, True, True, True),
        ({"visibility": "private", "channel": "G1"}, True, True, False),
        ({"visibility": "unknown", "channel": "C1"}, True, True, False),  # an @mention's
        ({"visibility": None, "channel": "C1"}, True, True, False),  # logged before visibility
        ({"visibility": "dm", "channel": "D1"}, True, False, False),  # only its user
        ({"visibility": "local", "channel": None}, False, False, False),  # the CLI's
    ],
)
def test_who_may_see_a_decision(fields, alice, bob_member, bob_not) -> None:
    d = decision(**fields)
    assert may_see(d, "U0ALICE", everyone_is_a_member) is alice
    assert may_see(d, "U0BOB", everyone_is_a_member) is bob_member
    assert may_see(d, "U0BOB", nobody_is_a_member) is bob_not


def test_more_clusters_than_fit_say_how_many_were_left_out() -> None:
    adopted = [
        decision(id=i, state="adopted", cluster=f"edge-{i:03d}", adopted_by="U0ALICE")
        for i in range(1, 151)
    ]
    proposals = [decision(id=200 + i) for i in range(PROPOSALS)]
    view = home_view(Home("U0ALICE", adopted, proposals), NAMES)
    blocks = view["blocks"]
    assert len(blocks) == MAX_VIEW_BLOCKS
    assert block_problems(blocks, MAX_VIEW_BLOCKS) == []
    shown = [b for b in blocks if "*edge-" in b.get("text", {}).get("text", "")]
    note = blocks[2 + len(shown)]["elements"][0]["text"]
    assert note.startswith(f"…and {150 - len(shown)} more clusters")
    assert "Decision #204" in blocks[-2]["text"]["text"]  # the proposals are still there


def test_no_cluster_and_no_proposal_say_how_to_get_there() -> None:
    text = json.dumps(home_view(Home("U0ALICE", [], []), NAMES))
    assert text.count("/netplugin") >= 2 and text.count("*Adopt*") == 2


def test_what_people_typed_cannot_ping_or_break_out() -> None:
    adopted = [
        decision(
            state="adopted",
            cluster="edge",
            adopted_by="<!channel> & co",
            visibility="public",
            channel="C1",
        )
    ]
    view = home_view(Home("U0ALICE", adopted, [], {"C1": "x><!here>"}), NAMES)
    text = json.dumps(view)
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; co" in text
    assert "<!here>" not in text and "<#C1|x&gt;&lt;!here&gt;>" in text
