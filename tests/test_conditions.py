"""Rule conditions: the compiled closures agree with a plain walk of the condition tree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.conditions import Condition

KEYS = ["nodes", "bgp", "location"]
leaf = st.one_of(
    st.builds(lambda n: {"key": "nodes", "gte": n}, st.integers(0, 10)),
    st.builds(lambda n: {"key": "nodes", "lt": n}, st.integers(0, 10)),
    st.builds(lambda b: {"key": "bgp", "is": b}, st.booleans()),
    st.builds(lambda xs: {"key": "location", "includes": xs}, st.lists(st.sampled_from("abc"))),
)
tree = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=8,
)
values = st.fixed_dictionaries(
    {},
    optional={
        "nodes": st.one_of(st.none(), st.integers(0, 10)),
        "bgp": st.one_of(st.none(), st.booleans()),
        "location": st.one_of(st.none(), st.lists(st.sampled_from("abcd"))),
    },
)


@settings(max_examples=300, deadline=None)
@given(tree, values)
def test_compiled_agrees_with_the_walk(spec, answers):
    condition = Condition.model_validate(spec)
    assert condition.holds(answers) == condition._walk(answers)


def test_unanswered_keys_never_satisfy_a_key_condition():
    assert not Condition.model_validate({"key": "bgp", "is": False}).holds({})
    assert Condition.model_validate({"not": {"key": "bgp", "is": False}}).holds({})
