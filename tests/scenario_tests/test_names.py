"""Names, not ids (issue 13): once a card is posted, the names of who asked and of the channel
are resolved over Slack's Web API (users.info, conversations.info) and kept in the decision log,
off the ack path and off the channel's lane: a slow or failing lookup never delays or fails a
card, and an id with no name kept stands for itself. The ADR export then says alice and
#general."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from slack_sdk import WebClient
from slackstack import Stack, start_stack
from waiting import settle

from bot.decisions import names
from bot.decisions.adoption import adopt
from bot.slack.names import remember_names

QUESTIONS = [
    "400 ENS nodes, need NLB, pods reachable from outside, no BGP",
    "300 nodes in our own data centre, BGP yes",
    "12 edge devices spread across sites",
    "need NLB and ECI, 22 nodes",
    "location=ens nodes=500",
    "location=idc nodes=40",
    "location=cloud nodes=40",
    "location=ens nodes=300 integrations=nlb",
    "cross-lan=yes leased-line=yes",
    "priority=simplicity nodes=30",
]


@pytest.fixture
def own(tmp_path) -> Stack:
    """A stack of its own on a log file (the CLI reads it after), with a channel and a person
    whose names nobody has resolved yet."""
    running = start_stack(str(tmp_path / "netplugin.db"))
    running.workspace.add_user('carol: "ops"\n---', user_id="U0CAROL")
    running.workspace.add_channel("edge-planning", channel_id="C0EDGE")
    yield running
    running.fake.reset()
    running.stop()


def ask(s: Stack, text: str, *, channel: str = "C0GENERAL", user: str = "U0ALICE") -> int:
    """A slash command over the wire; the decision's id once its card is posted and the app is
    done (names resolved or not)."""
    before = len(s.fake.calls_to("chat.postMessage"))
    s.driver.send_slash(text, channel=channel, user=user)
    post = s.fake.wait_for("chat.postMessage", count=before + 1)
    settle(s)
    decision = s.log.by_message(post.response["channel"], post.response["ts"])
    assert decision is not None and decision.post_state == "posted"
    return decision.id


def bot_client(s: Stack) -> WebClient:
    """A client with the bot's token, as a listener gets it."""
    return WebClient(token=s.fake.bot_token, base_url=s.fake.api_url)


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    head, _, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head)


def test_a_posted_card_names_who_asked_and_where(own) -> None:
    ask(own, QUESTIONS[0])
    assert [c.params["user"] for c in own.fake.calls_to("users.info")] == ["U0ALICE"]
    assert [c.params["channel"] for c in own.fake.calls_to("conversations.info")] == ["C0GENERAL"]
    assert names.names_of(own.log, ["U0ALICE", "C0GENERAL"]) == {
        "U0ALICE": "alice",
        "C0GENERAL": "general",
    }
    assert names.get(own.log, "U0ALICE").kind == "user"
    assert names.get(own.log, "C0GENERAL").kind == "channel"
    # Fresh names are not looked up again with the next card.
    own.fake.reset()
    ask(own, QUESTIONS[1])
    assert own.fake.calls_to("users.info") == own.fake.calls_to("conversations.info") == []


def test_names_older_than_a_week_are_resolved_again(own) -> None:
    ask(own, QUESTIONS[0])
    own.workspace.users["U0ALICE"].name = "alice.w"  # renamed meanwhile
    week_ago = dt.datetime.now(dt.UTC) - names.MAX_AGE - dt.timedelta(minutes=1)
    own.log.db["names"].update("U0ALICE", {"resolved_at": week_ago.isoformat()})
    own.fake.reset()
    ask(own, QUESTIONS[1])
    assert [c.params["user"] for c in own.fake.calls_to("users.info")] == ["U0ALICE"]
    assert own.fake.calls_to("conversations.info") == []  # resolved this week
    assert names.names_of(own.log, ["U0ALICE"]) == {"U0ALICE": "alice.w"}


def test_a_lookup_that_fails_keeps_the_id_and_never_fails_the_card(own) -> None:
    own.fake.fail_next("users.info", error="missing_scope")
    own.fake.fail_next("conversations.info", status=500)
    ask(own, QUESTIONS[0], channel="C0EDGE", user="U0CAROL")  # posted, whatever the lookups say
    assert own.fake.calls_to("response_url") == []  # nobody was told something went wrong
    assert names.names_of(own.log, ["U0CAROL", "C0EDGE"]) == {}
    assert names.get(own.log, "U0CAROL") is None  # not kept: the next card tries again
    assert len(own.fake.calls_to("conversations.info")) == 1  # a 500 is not retried at once
    ask(own, QUESTIONS[1], channel="C0EDGE", user="U0CAROL")
    assert names.names_of(own.log, ["U0CAROL", "C0EDGE"]) == {
        "U0CAROL": 'carol: "ops"\n---',
        "C0EDGE": "edge-planning",
    }


def test_a_slow_lookup_delays_no_card(own) -> None:
    held = own.fake.hold_next("users.info")
    own.driver.send_slash(QUESTIONS[0], channel="C0EDGE", user="U0CAROL")
    assert held.reached.wait(5)  # the first card is posted; its asker's name is being looked up
    own.driver.send_slash(QUESTIONS[1], channel="C0EDGE", user="U0CAROL")
    own.driver.send_slash(QUESTIONS[2], channel="C0GENERAL", user="U0BOB")
    own.fake.wait_for("chat.postMessage", count=3)  # both posted while the lookup is held
    assert names.get(own.log, "U0CAROL") is None
    held.release()
    settle(own)
    assert names.names_of(own.log, ["U0CAROL"]) == {"U0CAROL": 'carol: "ops"\n---'}


def test_a_dm_has_no_name_and_is_not_looked_up_again(own) -> None:
    dm = own.workspace.open_im("U0ALICE").id
    remember_names(own.app.advisor, bot_client(own), channel=dm)
    settle(own)
    found = names.get(own.log, dm)
    assert found is not None and found.name is None
    assert names.names_of(own.log, [dm]) == {}
    own.fake.reset()
    remember_names(own.app.advisor, bot_client(own), channel=dm)
    settle(own)
    assert own.fake.calls_to("conversations.info") == []


def test_ten_questions_two_adoptions_two_records_named(own, cli, tmp_path) -> None:
    """The acceptance: 10 questions asked over the wire, 2 of them adopted for two clusters
    (the adopter's name resolved as the Adopt listeners do): the ADR export writes 2 records,
    whose front matter parses as YAML and names people and the channel, ids beside them."""
    asked = [
        ask(own, text, user=user)
        for text, user in zip(QUESTIONS, ["U0ALICE", "U0BOB"] * 5, strict=True)
    ]
    ask(own, "location=ens nodes=50", channel="C0EDGE", user="U0CAROL")  # an 11th, elsewhere
    adopt(own.log, asked[0], cluster="edge-prod", by="U0CAROL")
    remember_names(own.app.advisor, bot_client(own), user="U0CAROL")
    adopt(own.log, asked[3], cluster="edge-staging", by="U0BOB", review_by=dt.date(2031, 3, 31))
    remember_names(own.app.advisor, bot_client(own), user="U0BOB")
    settle(own)
    out = tmp_path / "adr"
    export = ("decisions", "export", "--db", own.log.path, "--format", "adr", "--out", str(out))
    assert cli(*export).exit_code == 0
    files = sorted(p.name for p in out.glob("*.md"))
    assert files == [
        f"{asked[0]:04d}-edge-prod-terway-edge.md",
        f"{asked[3]:04d}-edge-staging-{own.log.get(asked[3]).plugin}.md",
    ]
    prod = front_matter((out / files[0]).read_text(encoding="utf-8"))
    assert prod["status"] == "accepted" and prod["cluster"] == "edge-prod"
    assert prod["deciders"] == [
        {"name": 'carol: "ops"\n---', "id": "U0CAROL"},
        {"name": "alice", "id": "U0ALICE"},
    ]
    assert prod["channel"] == {"name": "general", "id": "C0GENERAL"}
    assert prod["review-by"] == "before the cluster is created"
    staging = front_matter((out / files[1]).read_text(encoding="utf-8"))
    assert staging["deciders"] == [{"name": "bob", "id": "U0BOB"}]
    assert staging["review-by"] == "2031-03-31"
    title = (out / files[0]).read_text(encoding="utf-8").split("\n# ", 1)[1].splitlines()[0]
    assert "edge-prod" in title and "#general" in title and "C0GENERAL" not in title
    every = tmp_path / "every"
    assert cli(*export[:-1], str(every), "--all").exit_code == 0
    assert len(list(every.glob("*.md"))) == 11
