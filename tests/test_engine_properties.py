"""Properties of the engine over any plan the questionnaire allows (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from strategies import answers

from bot.core.engine import recommend
from bot.core.knowledge import PLUGIN_IDS, default_knowledge
from bot.core.plan import plan_model

KB = default_knowledge()


def plans():
    return answers(KB).map(plan_model(KB).model_validate)


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
