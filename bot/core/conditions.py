"""Conditions over a plan, as written in knowledge/*.yaml.

    {key: K, is: V} | {key: K, includes: [..]} | {key: K, gte: N} | {key: K, lt: N}
    {all: [..]} | {any: [..]} | {not: {..}}

An unanswered key (absent or None) never satisfies a key condition, so rules fire only on what
the user actually said. `not` is plain negation: `{not: {key: bgp, is: false}}` holds when BGP is
available *or unknown*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    key: str | None = None
    is_: bool | int | str | None = Field(default=None, alias="is")
    includes: list[str] | None = None
    gte: int | None = None
    lt: int | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [t for t in ("is_", "includes", "gte", "lt") if getattr(self, t) is not None]
        groups = [g for g in ("all_", "any_", "not_") if getattr(self, g) is not None]
        if self.key is not None:
            if len(tests) != 1 or groups:
                raise ValueError("a `key` condition needs exactly one of is, includes, gte, lt")
        elif len(groups) != 1 or tests:
            raise ValueError("a condition is either {key: ..} or exactly one of all, any, not")
        return self

    def keys(self) -> set[str]:
        """Every plan key this condition reads."""
        if self.key is not None:
            return {self.key}
        found: set[str] = set()
        for child in [*(self.all_ or []), *(self.any_ or []), *([self.not_] if self.not_ else [])]:
            found |= child.keys()
        return found

    def thresholds(self, key: str) -> set[int]:
        """Values of `key` at which this condition changes its answer (for what-could-change)."""
        found: set[int] = set()
        if self.key == key:
            if self.gte is not None:
                found |= {self.gte, self.gte - 1}
            if self.lt is not None:
                found |= {self.lt, self.lt - 1}
        for child in [*(self.all_ or []), *(self.any_ or []), *([self.not_] if self.not_ else [])]:
            found |= child.thresholds(key)
        return found

    def holds(self, values: Mapping[str, Any]) -> bool:
        return self.compiled(values)

    @cached_property
    def compiled(self) -> Callable[[Mapping[str, Any]], bool]:
        """This condition as a closure: the engine re-runs the rules for every what-could-change
        answer, and walking the pydantic model each time costs most of a request's budget."""
        key = self.key
        if key is not None:
            if self.is_ is not None:
                expected = self.is_
                return lambda v: v.get(key) is not None and v.get(key) == expected
            if self.includes is not None:
                wanted = tuple(self.includes)
                return lambda v: v.get(key) is not None and any(w in v[key] for w in wanted)
            if self.gte is not None:
                low = self.gte
                return lambda v: v.get(key) is not None and v[key] >= low
            high = self.lt
            return lambda v: v.get(key) is not None and v[key] < high
        if self.all_ is not None:
            parts = tuple(c.compiled for c in self.all_)
            return lambda v: all(p(v) for p in parts)
        if self.any_ is not None:
            parts = tuple(c.compiled for c in self.any_)
            return lambda v: any(p(v) for p in parts)
        inner = self.not_.compiled  # type: ignore[union-attr]
        return lambda v: not inner(v)

    def _walk(self, values: Mapping[str, Any]) -> bool:
        """The reference evaluation the compiled closure must agree with (see the tests)."""
        if self.key is not None:
            value = values.get(self.key)
            if value is None:
                return False
            if self.is_ is not None:
                return value == self.is_
            if self.includes is not None:
                return any(v in value for v in self.includes)
            if self.gte is not None:
                return value >= self.gte
            return value < self.lt  # type: ignore[operator]
        if self.all_ is not None:
            return all(c._walk(values) for c in self.all_)
        if self.any_ is not None:
            return any(c._walk(values) for c in self.any_)
        return not self.not_._walk(values)  # type: ignore[union-attr]
