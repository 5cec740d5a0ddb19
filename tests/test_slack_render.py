"""The card and the explanation as Block Kit: golden files, escaping, limits for any input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from blockkit import block_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import recommend
from bot.core.grammar import Understood, read_question
from bot.core.knowledge import default_knowledge
from bot.core.plan import plan_model
from bot.render.environment import environment
from bot.slack import render

KB = default_knowledge()
NAMES = {p.id: p.name for p in KB.plugins}
GOLDEN = Path(__file__).parent / "golden"

PLANS = {
    "recommended": "400 ENS nodes, need NLB, pods reachable from outside, no BGP",
    "conflict": "location=idc bgp=no leased-line=no cross-lan=yes pod-ip-access=yes",
    "needs_info": "hello",
    "cidrs": "location=idc,cloud nodes=40 pod-cidr=10.0.0.0/16 service-cidr=10.0.0.0/20 l3=yes",
}


def result_for(text: str) -> dict:
    parsed = read_question(text, KB)
    assert parsed.ok, parsed.problems
    return recommend(parsed.plan, KB, parsed.understood).to_json()


def card(result: dict, decision_id: int | None = 42) -> dict:
    return render.card(result, decision_id=decision_id, plugin_names=NAMES)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_card_matches_golden_file(name: str) -> None:
    """Card changes are reviewable: UPDATE_GOLDEN=1 rewrites tests/golden/card_<name>.json."""
    rendered = card(result_for(PLANS[name]))
    # the knowledge version changes with every edit of knowledge/: not part of the layout
    text = json.dumps(rendered, indent=2, ensure_ascii=False).replace(KB.version, "KBVERSION")
    path = GOLDEN / f"card_{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1"
    assert text + "\n" == path.read_text(encoding="utf-8"), f"{path} differs: review it"


@pytest.mark.parametrize("name", sorted(PLANS))
def test_card_and_explanation_are_valid_block_kit(name: str) -> None:
    result = result_for(PLANS[name])
    assert block_problems(card(result)["blocks"]) == []
    assert block_problems(render.explanation(result, plugin_names=NAMES)["blocks"]) == []


def test_card_header_reasons_sources_buttons() -> None:
    rendered = card(result_for(PLANS["recommended"]))
    blocks = rendered["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "emoji": True, "text": "Recommended: Terway Edge"},
    }
    assert rendered["text"].startswith("Recommended: Terway Edge")
    why = blocks[1]["text"]["text"]
    assert "<https://www.alibabacloud.com/help/en/ack/ack-edge/" in why and "|S1>" in why
    actions = blocks[-1]
    assert [e["action_id"] for e in actions["elements"]] == [
        "netplugin-explain",
        "netplugin-adjust",
        "netplugin-checklist",
        "netplugin-adopt",
    ]
    assert {e["value"] for e in actions["elements"]} == {"42"}
    # the permanent choice is on every card; the other warnings are in Explain
    assert any("cannot be changed" in b.get("text", {}).get("text", "") for b in blocks)
    assert "kubectl edits" not in json.dumps(blocks)


def test_conflict_card_names_each_collision_and_its_unblock() -> None:
    result = result_for(PLANS["conflict"])
    text = json.dumps(card(result))
    assert "No plugin meets every requirement" in text
    for unmet in result["unmet"]:
        assert json.dumps(unmet["summary"])[1:-1] in text
        assert json.dumps(unmet["unblock"])[1:-1] in text


def test_needs_info_card_lists_the_questions() -> None:
    text = json.dumps(card(result_for("hello")))
    for key in KB.decision_keys:
        assert f"`{key}`" in text


def test_user_words_cannot_ping_or_break_out() -> None:
    parsed = read_question("400 ENS nodes <!channel> <@U123|x> & need NLB", KB)
    result = recommend(
        parsed.plan,
        KB,
        [
            *parsed.understood,
            Understood(key="bgp", value=False, said="<!channel> no bgp", how="words"),
        ],
    ).to_json()
    text = json.dumps(card(result))
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; no bgp" in text


def test_a_copied_templates_dir_restyles_the_card(tmp_path: Path, monkeypatch) -> None:
    from bot import paths

    copy = tmp_path / "templates"
    shutil.copytree(paths.templates_dir(), copy)
    card_template = copy / "slack" / "card.json.j2"
    card_template.write_text(
        card_template.read_text(encoding="utf-8").replace('"Explain"', '"Tell me why"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("NETPLUGIN_TEMPLATES_DIR", str(copy))
    buttons = card(result_for(PLANS["recommended"]))["blocks"][-1]["elements"]
    assert buttons[0]["text"]["text"] == "Tell me why"
    monkeypatch.delenv("NETPLUGIN_TEMPLATES_DIR")
    buttons = card(result_for(PLANS["recommended"]))["blocks"][-1]["elements"]
    assert buttons[0]["text"]["text"] == "Explain"


# --- cutting to Slack's limits ------------------------------------------------------------------


def test_cut_never_splits_an_escape_or_a_link() -> None:
    assert render.cut("abc", 10) == "abc"
    assert render.cut("a" * 8 + "&amp;", 10) == "a" * 8 + "…"
    assert render.cut("ab <https://x.test/a|S1> tail", 12) == "ab…"
    assert render.cut("😀" * 10, 6) == "😀😀…"  # UTF-16: an emoji counts two
    assert render.units(render.cut("x" * 5000, 3000)) == 3000


def test_cut_and_clip_end_on_a_whole_word() -> None:
    text = "Binding an ENI stops the instance. The security group must allow all traffic."
    for limit in range(12, len(text)):
        for shortened in (render.cut(text, limit), render.clip(text, limit)):
            kept = shortened.removesuffix("…")
            assert text.startswith(kept)
            assert kept == text or text[len(kept)] == " ", shortened
    assert render.cut("x" * 60, 20) == "x" * 19 + "…"  # one long word is split all the same


def test_fit_blocks_keeps_the_buttons_and_says_what_was_left_out() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}} for i in range(70)]
    blocks.append({"type": "actions", "elements": []})
    fitted = render.fit_blocks(blocks)
    assert len(fitted) == 50
    assert fitted[-1]["type"] == "actions"
    assert "22 more blocks left out" in fitted[-2]["elements"][0]["text"]


def _answers(q):
    if q.type == "int":
        return st.integers(q.min or 0, q.max or 10**6)
    if q.type == "bool":
        return st.booleans()
    if q.type == "version":
        return st.builds(lambda minor: f"1.{minor}", st.integers(0, 99))
    if q.type == "cidr":
        return st.builds(
            lambda a, b, n: f"{a}.{b}.0.0/{n}",
            st.sampled_from([10, 172, 192, 100, 8]),
            st.integers(0, 255),
            st.integers(16, 16),
        )
    values = [c for c in q.choice_values() if c != q.none_value]
    if q.type == "choice":
        return st.sampled_from(values)
    return st.lists(st.sampled_from(values), unique=True, min_size=0 if q.none_value else 1)


plans = st.fixed_dictionaries({}, optional={q.key: _answers(q) for q in KB.questions}).map(
    lambda answers: plan_model(KB).model_validate(answers)
)

hostile = st.one_of(
    st.text(max_size=200),
    st.text(alphabet='<>&|*_~`!@#"\\\n😀', max_size=500),
    st.sampled_from(["<!channel>", "<!here>", "<@U123>", "&amp;" * 900, "x" * 5000, "😀" * 4000]),
    st.text(min_size=3000, max_size=6000),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans, words=st.lists(hostile, max_size=14), decision_id=st.integers(1, 10**12))
def test_any_plan_and_any_words_give_valid_blocks_within_limits(plan, words, decision_id):
    understood = [
        Understood(key=q.key, value=w[:50], said=w or "x", how="words")
        for q, w in zip(KB.questions, words, strict=False)
    ]
    result = recommend(plan, KB, understood).to_json()
    for message in (
        render.card(
            result, decision_id=decision_id, plugin_names=NAMES, asked="".join(words), user="U1"
        ),
        render.explanation(result, plugin_names=NAMES),
    ):
        assert block_problems(message["blocks"]) == []
        assert 0 < render.units(message["text"]) <= render.MESSAGE_TEXT
        assert "<!channel>" not in json.dumps(message)
        assert "<!here>" not in json.dumps(message)


@settings(max_examples=40, deadline=None)
@given(text=st.one_of(hostile, st.text(alphabet="abcdefgh=,./0123456789 <>&", max_size=400)))
def test_any_question_text_gives_a_valid_card(text):
    parsed = read_question(text, KB)
    result = recommend(parsed.plan, KB, parsed.understood, parsed.unsure).to_json()
    message = render.card(result, decision_id=1, plugin_names=NAMES)
    assert block_problems(message["blocks"]) == []


def test_slack_environment_is_the_escaping_one() -> None:
    assert environment("slack").finalize is not None
