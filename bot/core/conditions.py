"""Conditions over a plan, as written in knowledge/*.yaml.

    {key: K, is: V} | {key: K, includes: [..]} | {key: K, gte: N} | {key: K, lt: N}
    {all: [..]} | {any: [..]} | {not: {..}}

`gte` and `lt` take a whole number, or a Kubernetes version written as a string
(`{key: k8s-version, lt: "1.28"}`), compared as (major, minor): 1.9 < 1.10 < 1.28. A version bound
holds for no answer that is not a version.

An unanswered key (absent or None) never satisfies a key condition, so rules fire only on what
the user actually said. `not` is plain negation: `{not: {key: bgp, is: false}}` holds when BGP is
available *or unknown*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# A version as plans store it and conditions write it: major.minor, no "v", no patch.
VERSION = re.compile(r"(\d{1,3})\.(\d{1,3})")


def version_key(value: Any) -> tuple[int, int] | None:
    """(major, minor) of a version string ("1.30" → (1, 30)); None for anything else."""
    m = VERSION.fullmatch(value) if isinstance(value, str) else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def _version_below(bound: str) -> str | None:
    """The minor version just below `bound` ("1.28" → "1.27"); None below x.0."""
    major, minor = version_key(bound) or (0, 0)
    return f"{major}.{minor - 1}" if minor > 0 else None


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)

    key: str | None = None
    is_: bool | int | str | None = Field(default=None, alias="is")
    includes: list[str] | None = None
    gte: int | str | None = None  # a whole number, or a version ("1.28")
    lt: int | str | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    @field_validator("gte", "lt", mode="before")
    @classmethod
    def _number_or_version(cls, bound: Any) -> Any:
        if isinstance(bound, float) and not bound.is_integer():
            # YAML reads `lt: 1.28` as a number (and 1.30 as 1.3): a version is written quoted.
            raise ValueError(f'{bound!r} is a number: write a version in quotes, such as "1.28"')
        if not isinstance(bound, str):
            return bound
        if bound.strip().isdigit():
            return int(bound)  # a whole number, as before versions
        version = version_key(bound.strip())
        if version is None:
            raise ValueError(f'{bound!r} is neither a whole number nor a version such as "1.28"')
        return "{}.{}".format(*version)  # "1.028" is 1.28, as plans store it

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

    def thresholds(self, key: str) -> set[int | str]:
        """Values of `key` at which this condition changes its answer (for what-could-change):
        each bound and the value just below it (a version's: the minor version below, as a
        version string)."""
        found: set[int | str] = set()
        if self.key == key:
            for bound in (self.gte, self.lt):
                if isinstance(bound, str):
                    found |= {bound, *filter(None, [_version_below(bound)])}
                elif bound is not None:
                    found |= {bound, bound - 1}
        for child in [*(self.all_ or []), *(self.any_ or []), *([self.not_] if self.not_ else [])]:
            found |= child.thresholds(key)
        return found

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without its compiled closure (bot/core/knowledge_cache.py): it is built
        again, from the condition, on first use."""
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k != "compiled"}
        return state

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
            if isinstance(self.gte, str):
                oldest = version_key(self.gte)

                def at_least(v: Mapping[str, Any]) -> bool:
                    have = version_key(v.get(key))
                    return have is not None and have >= oldest  # type: ignore[operator]

                return at_least
            if isinstance(self.lt, str):
                newest = version_key(self.lt)

                def below(v: Mapping[str, Any]) -> bool:
                    have = version_key(v.get(key))
                    return have is not None and have < newest  # type: ignore[operator]

                return below
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
            bound = self.gte if self.gte is not None else self.lt
            if isinstance(bound, str):
                have, want = version_key(value), version_key(bound)
                if have is None or want is None:
                    return False
                return have >= want if self.gte is not None else have < want
            if self.gte is not None:
                return value >= self.gte
            return value < self.lt  # type: ignore[operator]
        if self.all_ is not None:
            return all(c._walk(values) for c in self.all_)
        if self.any_ is not None:
            return any(c._walk(values) for c in self.any_)
        return not self.not_._walk(values)  # type: ignore[union-attr]
