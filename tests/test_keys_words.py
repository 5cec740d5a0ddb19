"""`netplugin keys` says how each answer can be said in plain words (issue 12), and every phrase
it shows is one the reader reads back as that answer: no regular expression, no false promise."""

from __future__ import annotations

import re

import pytest

from bot.core.grammar import read_question
from bot.core.phrasebook import phrasebook, readable
from bot.render.environment import render_text

BULLET = re.compile(r"^- `(?P<key>[\w-]+)`(?::\s*(?P<rest>.*))?$")
VALUE = re.compile(r"^  - (?P<value>[\w-]+): (?P<rest>.*)$")
QUOTED = re.compile(r"“([^”]+)”")


def plain_words_section(kb) -> list[tuple[str, object, str]]:
    """(key, expected value, phrase) for every phrase under "In plain words"; the value is
    True/False for a yes/no question, a choice's value, or ... for a number or a CIDR."""
    text = render_text("cli/keys.md.j2", questions=kb.questions, words=phrasebook(kb))
    section = text.split("## In plain words", 1)[1]
    said: list[tuple[str, object, str]] = []
    key = None
    for line in section.splitlines():
        if m := BULLET.match(line):
            key, rest = m["key"], m["rest"] or ""
            if rest.startswith("yes:"):
                yes, no = rest.removeprefix("yes:").split("; no:")
                said += [(key, True, p) for p in QUOTED.findall(yes)]
                said += [(key, False, p) for p in QUOTED.findall(no)]
            else:
                said += [(key, ..., p) for p in QUOTED.findall(rest)]
        elif (m := VALUE.match(line)) and key:
            said += [(key, m["value"], p) for p in QUOTED.findall(m["rest"])]
    return said


def test_every_question_is_shown_with_its_words_or_as_a_key_only(kb) -> None:
    text = render_text("cli/keys.md.j2", questions=kb.questions, words=phrasebook(kb))
    section = text.split("## In plain words", 1)[1]
    shown = {m["key"] for line in section.splitlines() if (m := BULLET.match(line))}
    assert shown == {q.key for q in kb.questions}
    said = plain_words_section(kb)
    with_words = {key for key, _, _ in said}
    # Every question the vocabulary has words for is shown with some of them.
    assert set(kb.vocabulary.questions) <= with_words
    assert set(kb.vocabulary.versions) <= with_words  # "Kubernetes 1.30"
    for key in {q.key for q in kb.questions} - with_words:
        assert f"- `{key}`: only as `{key}=…`" in section


def test_every_phrase_shown_reads_back_as_its_answer(kb) -> None:
    said = plain_words_section(kb)
    assert len(said) > 30
    for key, expected, phrase in said:
        assert not re.search(r"[\\?|()\[\]*+]", phrase), f"a regular expression shown: {phrase}"
        got = read_question(phrase, kb).plan.values().get(key)
        if expected is ...:
            assert got is not None, (key, phrase)
        elif isinstance(got, list):
            assert got == [expected], (key, phrase, got)
        else:
            assert got == expected, (key, phrase, got)


def test_the_terminal_shows_them(cli) -> None:
    out = " ".join(cli("keys").stdout.split())
    assert "In plain words" in out
    for words in ("“data center”", "“without a leased line”", "“400 nodes”"):
        assert words in out
    assert "data ?cent" not in out and "(es)?" not in out


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("idcs?", "idc"),
        ("data ?cent(er|re)s?", "data center"),
        ("edge box(es)?", "edge box"),
        ("(huawei|tencent|baidu) cloud( ecs| cvms?)?", "huawei cloud"),
        ("pods? ... (reachable|reached)", None),
        ("[ei]?bgp", None),
        ("dcs?", None),
    ],
)
def test_a_pattern_is_offered_only_when_it_is_words(pattern, words) -> None:
    assert readable(pattern) == words
