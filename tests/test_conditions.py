"""Rule conditions: the compiled closures agree with a plain walk of the condition tree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.core.conditions import Condition

KEYS = ["nodes", "bgp", "location", "k8s-version"]
# Minors on both sides of 9/10 and of two digits, where string order and version order differ.
versions = st.builds(lambda minor: f"1.{minor}", st.integers(0, 40))
leaf = st.one_of(
    st.builds(lambda n: {"key": "nodes", "gte": n}, st.integers(0, 10)),
    st.builds(lambda n: {"key": "nodes", "lt": n}, st.integers(0, 10)),
    st.builds(lambda v: {"key": "k8s-version", "gte": v}, versions),
    st.builds(lambda v: {"key": "k8s-version", "lt": v}, versions),
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
        # A version answer, or something that is none (a version bound never holds for it).
        "k8s-version": st.one_of(st.none(), versions, st.sampled_from(["", "v1.30", "banana"])),
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


def version(bound: dict, answer: str | None) -> bool:
    return Condition.model_validate({"key": "k8s-version", **bound}).holds({"k8s-version": answer})


def test_a_version_bound_compares_major_then_minor_as_numbers():
    assert version({"lt": "1.28"}, "1.9")
    assert version({"lt": "1.28"}, "1.27")
    assert not version({"lt": "1.28"}, "1.28")
    assert version({"lt": "1.10"}, "1.9")  # 1.9 < 1.10, though "1.9" > "1.10" as text
    assert version({"gte": "1.28"}, "1.30")
    assert version({"gte": "1.10"}, "1.10")
    assert not version({"gte": "1.10"}, "1.9")
    assert not version({"gte": "1.28"}, None) and not version({"lt": "1.28"}, None)


def test_int_bounds_are_unchanged():
    cond = Condition.model_validate({"key": "nodes", "gte": 200})
    assert cond.gte == 200 and cond.holds({"nodes": 200}) and not cond.holds({"nodes": 199})
    assert Condition.model_validate({"key": "nodes", "lt": "50"}).lt == 50
    assert Condition.model_validate({"key": "nodes", "gte": 200}).thresholds("nodes") == {200, 199}


def test_thresholds_of_a_version_bound_are_the_bound_and_the_minor_below():
    cond = Condition.model_validate(
        {"any": [{"key": "k8s-version", "lt": "1.28"}, {"key": "k8s-version", "gte": "1.32"}]}
    )
    assert cond.thresholds("k8s-version") == {"1.28", "1.27", "1.32", "1.31"}
    assert cond.thresholds("nodes") == set()
    assert Condition.model_validate({"key": "k", "gte": "1.0"}).thresholds("k") == {"1.0"}


@pytest.mark.parametrize("bound", [1.28, "1.28.3", "v1.28", "latest", "1."])
def test_a_bound_that_is_no_number_or_version_is_refused(bound):
    with pytest.raises(ValidationError, match="version"):
        Condition.model_validate({"key": "k8s-version", "lt": bound})


def test_a_version_bound_is_stored_as_plans_store_versions():
    assert Condition.model_validate({"key": "k8s-version", "gte": "1.028"}).gte == "1.28"
