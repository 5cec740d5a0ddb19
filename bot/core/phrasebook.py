"""How each question can be said in plain words, for `netplugin keys`.

    phrasebook(kb)["location"] == [ValueWords(value="ens", phrases=["edge node service"]), …]
    phrasebook(kb)["bgp"] == [ValueWords(value=True, phrases=["BGP on the edge gateways"])]

The vocabulary (knowledge/vocabulary.yaml) holds the reader's phrases as regular expressions;
a person needs words. A phrase that reads as plain words once its small conveniences are spelled
out (`idcs?` → "idc", `data ?cent(er|re)s?` → "data center") is offered, and only when the reader
reads it back as that value: what `netplugin keys` shows is what the bot understands. A yes/no
question offers its `example`, which the reader's tests affirm, negate and hedge.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from bot.core.grammar import read_question
from bot.core.knowledge import Knowledge, ListWords, YesNoWords

PER_VALUE = 3  # phrases offered per value: a few, not the whole vocabulary
_REGEX = re.compile(r"[\\.*+^$\[\]{}|()?]")


class ValueWords(BaseModel):
    value: Any  # what the phrases set: a choice's value, or True for a yes/no question's example
    phrases: list[str]


def readable(pattern: str) -> str | None:
    """`pattern` as words a person would type, or None when it is more than a phrase (a gap, a
    class of characters, a repetition)."""
    words = pattern.replace(" ?", " ")  # an optional space: written as a space
    words = re.sub(r"\([^()]*\)\?", "", words)  # an optional group: left out
    words = re.sub(r"(\w)\?", "", words)  # an optional letter (a plural): left out
    words = re.sub(r"\(([^()|]*)\|[^()]*\)", r"\1", words)  # alternatives: the first
    words = " ".join(words.split())
    if not words or "..." in words or _REGEX.search(words):
        return None
    if all(len(w) <= 2 for w in words.split(" ")):  # "dc", "co lo": abbreviations
        return None
    return words


def _reads_as(kb: Knowledge, key: str, words: str, values: list[Any]) -> bool:
    got = read_question(words, kb).plan.values().get(key)
    found = got if isinstance(got, list) else [got]
    return sorted(map(str, found)) == sorted(map(str, values))


def _offered(kb: Knowledge, key: str, patterns: list[str], values: list[Any]) -> list[str]:
    offered: list[str] = []
    for pattern in patterns:
        words = readable(pattern)
        if words is None or words in offered or words in map(str, values):
            continue
        if _reads_as(kb, key, words, values):
            offered.append(words)
        if len(offered) == PER_VALUE:
            break
    return offered


def phrasebook(kb: Knowledge) -> dict[str, list[ValueWords]]:
    """Per question key with words in the vocabulary: the values and how to say them. (Groups,
    "load balancers", are left out: said alone, they are too vague to set anything.)"""
    book: dict[str, list[ValueWords]] = {}
    for key, words in kb.vocabulary.questions.items():
        if isinstance(words, YesNoWords):
            if _reads_as(kb, key, words.example, [True]):
                book[key] = [ValueWords(value=True, phrases=[words.example])]
            continue
        if not isinstance(words, ListWords):
            continue
        entries = [
            ValueWords(value=value, phrases=found)
            for value, patterns in words.values.items()
            if (found := _offered(kb, key, patterns, [value]))
        ]
        if entries:
            book[key] = entries
    for key, words in kb.vocabulary.versions.items():
        said = read_question(words.example, kb).plan.values().get(key)
        if said is not None:
            book[key] = [ValueWords(value=said, phrases=[words.example])]
    return book
