"""Properties of the engine over any plan the questionnaire allows (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.engine import recommend
from bot.core.knowledge import PLUGIN_IDS, default_knowledge
from bot.core.plan import plan_model

KB = default_knowledge()


@st.composite
def plans(draw):
    data = {}
    for q in KB.questions:
        if not draw(st.booleans()):
            continue
        if q.type == "int":
            data[q.key] = draw(st.integers(q.min, q.max))
        elif q.type == "bool":
            data[q.key] = draw(st.booleans())
        elif q.type == "choice":
            data[q.key] = draw(st.sampled_from(q.choice_values()))
        elif q.type == "multi":
            values = [v for v in q.choice_values() if v != q.none_value]
            least = 0 if q.none_value else 1
            data[q.key] = draw(st.lists(st.sampled_from(values), unique=True, min_size=least))
        else:
            data[q.key] = f"10.{draw(st.integers(0, 255))}.0.0/{draw(st.integers(16, 24))}"
    return plan_model(KB).model_validate(data)


@settings(max_examples=300, deadline=None)
@given(plans())
def test_outcomes_are_consistent_and_explained(plan):
    result = recommend(plan, KB)
    assert result == recommend(plan, KB)  # deterministic
    excluded = {u.excludes for u in result.unmet}
    if result.status == "conflict":
        assert excluded == set(PLUGIN_IDS)
        assert all(u.unblock for u in result.unmet)
    elif result.status == "recommended":
        assert result.reasons, "a recommendation always says why"
        assert result.why_not.plugin != result.plugin
        assert all(u.excludes != result.plugin for u in result.why_not.excluded_by)
        assert result.why_not.winner_score == result.scores[result.plugin]
        if not result.why_not.excluded_by:  # decided on weights: the winner has at least as many
            assert result.scores[result.plugin] >= result.why_not.score
    else:
        assert result.plugin is None and result.questions
    cited = {
        s
        for group in (result.reasons, result.unmet, result.checklist, result.warnings)
        for entry in group
        for s in entry.sources
    }
    assert cited <= set(result.sources) <= set(KB.sources)
    assert "plugin-is-permanent" in {w.id for w in result.warnings}
