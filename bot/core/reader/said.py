"""What the reader returns: what it found in the words, and what they left unsettled, and why.

Apart from the reader itself (bot/core/reader/message.py), so that the models that carry a
reading are known without loading the grammar of plain words.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

UnsureWhy = Literal[
    "hedged",
    "asked",
    "contradictory",
    "no-role",
    "range",
    "about-plugin",
    "vague",
    "negated",  # a version said as what it is not ("not 1.26")
    "asked-value",  # asked, of a question whose answer is a value (a version), not yes or no
    "about-plugin-value",
]


class Found(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    value: Any  # as a key=value pair would give it: bool, int, str, list[str]
    said: str  # the user's words it came from


class Unsure(BaseModel):
    """Words that name a question but settle nothing, and why: asked back in the answer."""

    model_config = ConfigDict(frozen=True)

    key: str | None
    said: str
    why: UnsureWhy


class Reading(BaseModel):
    model_config = ConfigDict(frozen=True)

    found: list[Found]
    unsure: list[Unsure]
