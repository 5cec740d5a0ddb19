"""The envelope check of a form body (every value a string) takes a short cut: the same answer
as the full walk through the shapes, for any form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.runtime import admission

NAMES = st.sampled_from(sorted(admission.PAYLOAD.shapes)) | st.text(min_size=1, max_size=12)


@given(st.dictionaries(NAMES, st.text(max_size=20), max_size=12))
def test_a_forms_short_cut_answers_as_the_walk_does(form) -> None:
    assert admission._form_problem(form) == admission.shape_problem(form)


def test_a_form_carrying_a_field_that_is_never_text_is_refused() -> None:
    assert admission.envelope_problem({"command": "/netplugin", "actions": "[]"}) == (
        "body.actions: a list expected"
    )
    assert admission.envelope_problem({"command": "/netplugin", "text": "need NLB"}) is None
