"""Kubernetes versions in a clause: "Kubernetes 1.30", "k8s v1.31", "we'll run 1.32", "ACK 1.30
cluster".

A number is a version where words name it (knowledge/vocabulary.yaml, `versions`): a cue a few
words before it, a verb right before a number that looks like a version (v1.30, 1.30.2, a
two-digit minor), or a cue right after it; "v" and a two-digit minor name it alone ("300 nodes,
v1.31"). Right next to a thing with versions of its own ("containerd 1.7", "Terway Edge v1.9")
or a unit ("1.25 Gbps") it is none. A version hedged, asked, negated, said of a plugin or as a
bound ("1.28 or later") sets nothing and is reported, unless it describes the cluster asked
about ("flannel or terway for k8s 1.29?"); so is a number that only looks like a version, where
it is hedged, asked or negated ("maybe 1.30 or 1.32", "not 1.26"). A version said with an
upgrade ("upgrading to 1.31 next year") gives way to one said plainly (message.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.reader.clauses import Clause, blank
from bot.core.reader.lexicon import Lexicon, VersionCues
from bot.core.reader.mentions import WORDS, Mention, inside, negated, spans

# Why a version settles nothing (some of the reader's Unsure.why; asked and said of a plugin,
# the answer is a value, not yes or no: templates/messages.yaml says so).
Why = Literal["asked-value", "hedged", "about-plugin-value", "range", "negated"]

# 1.30, v1.30, 1.30.2, 1.30.1-aliyun.1, 1.28+ (a build suffix starts with a letter: "1.28-1.30"
# is a range of two).
VERSION = re.compile(
    r"(?<![\w.])(?P<v>v)?(?P<major>\d{1,3})\.(?P<minor>\d{1,3})(?P<patch>\.\d{1,3})?"
    r"(?:-[a-z][0-9a-z.-]*[0-9a-z])?(?P<plus>\+)?(?!\w|\.\d)"
)
KUBERNETES_MAJOR = 1
MAX_MINOR = 99
# How many words may stand between a cue and its number: "Kubernetes version will be 1.30".
CUE_REACH = 4
VERB_REACH = 1  # "we'll run 1.32", "the target is 1.30"
# Between two versions of one list: "1.30 or 1.32" (two answers), "1.28 to 1.30" (a range).
JOINED = re.compile(r"^\s*(?:,|/|or|and|vs\.?|versus)?\s*$")
RANGE = re.compile(r"^\s*(?:-|–|to|through|thru|until|till)\s*$")
COMPARED = re.compile(r"(?:[<>≥≤]=?|=>|=<)\s*v?$")  # ">= 1.28", "k8s <1.28"
TAIL = re.compile(r"(?:\S+\s*){0,4}$")  # the last few words before a number
HEAD = re.compile(r"^\s*(?:\S+\s*){0,3}")  # the first few after it
# Words that make what follows describe the cluster asked about: "terway or flannel for k8s
# 1.29?", "does it work on 1.30?".
DESCRIBES = re.compile(
    r"(?<![\w-])(?:for|on|with|in|at)\s+(?:(?:our|the|a|an|their|its|my|own)\s+)*$"
)


@dataclass
class VersionSaid:
    """What one clause says of a version question: a value, or why it settles nothing."""

    key: str
    value: str | None  # "1.30"
    why: Why | None = None
    later: bool = False  # said with an upgrade: where the cluster goes after it is created


@dataclass
class _Number:
    match: re.Match[str]
    named: bool | None  # named a version; only looks like one (False); something else (None)
    cue: int  # where the words that name it start (the number itself, if none)
    ranged: bool = False


def looks_like_version(m: re.Match[str]) -> bool:
    """A number that reads as a version even without a cue: v1.30, 1.30.2, a two-digit minor."""
    minor = m.group("minor")
    return bool(m.group("v") or m.group("patch")) or (len(minor) == 2 and minor[0] != "0")


def read_versions(
    clause: Clause,
    text: str,
    lex: Lexicon,
    *,
    hedged: bool,
    correction: bool,
    said_before: bool,
) -> tuple[list[VersionSaid], str]:
    """The versions `text` (the clause's normalised text, CIDRs blanked out) says, and the
    text with each read number blanked, so that its digits count nothing. `said_before`: a
    version was stated in an earlier clause (a correction may then give the number alone)."""
    if not lex.versions or "." not in text:
        return [], text
    found: list[VersionSaid] = []
    for cues in lex.versions:
        numbers: list[_Number] = []
        for m in VERSION.finditer(text):
            number = _named(text, m, cues, lex)
            if numbers:  # "1.30 or 1.32", "1.28 to 1.30": the second is what the first is
                last = numbers[-1]
                between = text[last.match.end() : m.start()]
                number.ranged = last.ranged = bool(RANGE.match(between))
                if not number.named and last.named and (number.ranged or JOINED.match(between)):
                    number.named, number.cue = True, last.cue
            if not number.named and correction and said_before and looks_like_version(m):
                number.named = True  # "k8s 1.28 | actually 1.30"
            numbers.append(number)
        for n, number in enumerate(numbers):
            m = number.match
            major, minor = int(m.group("major")), int(m.group("minor"))
            if number.named is None or major != KUBERNETES_MAJOR or minor > MAX_MINOR:
                continue
            text = blank(text, m.span())
            why = _why_not(clause, text, number, cues, lex, hedged=hedged)
            if not number.named and why in (None, "about-plugin-value", "range"):
                continue  # a number alone is read only to ask back what hedges or negates it
            later = cues.later is not None and bool(cues.later.search(_own_words(text, numbers, n)))
            found.append(VersionSaid(cues.key, None if why else f"{major}.{minor}", why, later))
    return found, text


def _own_words(text: str, numbers: list[_Number], n: int) -> str:
    """The words that go with the n-th number: from the number before it (or the clause's
    start) to its end, and the few words after it where it is the last."""
    start = numbers[n - 1].match.end() if n else 0
    end = numbers[n].match.end()
    if n == len(numbers) - 1:
        head = HEAD.match(text, end)
        end = head.end() if head else end
    return text[start:end]


def _named(text: str, m: re.Match[str], cues: VersionCues, lex: Lexicon) -> _Number:
    """Whether words name the number at `m` a Kubernetes version, and where they start."""
    before, after = text[: m.start()], text[m.end() :]
    if cues.other is not None and cues.other.match(after.lstrip()):
        return _Number(m, None, m.start())  # "1.25 gbps"
    blocked = max(
        (
            found.end()
            for pattern in (cues.other, lex.plugin)
            if pattern is not None
            for found in [_last(pattern, before, CUE_REACH)]
            if found is not None
        ),
        default=-1,
    )
    for pattern, reach, needs_look in (
        (cues.before, CUE_REACH, False),
        (cues.verbs, VERB_REACH, True),
    ):
        cue = _last(pattern, before, reach) if pattern is not None else None
        if cue is not None and cue.end() > blocked and (not needs_look or looks_like_version(m)):
            return _Number(m, True, cue.start())
    if blocked < 0 and cues.after is not None and cues.after.match(after.lstrip()):
        return _Number(m, True, m.start())  # "a 1.30 cluster"
    if blocked >= 0:
        return _Number(m, None, m.start())  # "containerd 1.7", "terway edge v1.9"
    minor = m.group("minor")
    if m.group("v") and len(minor) == 2 and minor[0] != "0":
        return _Number(m, True, m.start())  # "300 nodes, v1.31"
    return _Number(m, False if looks_like_version(m) else None, m.start())


def _last(pattern: re.Pattern[str], before: str, reach: int) -> re.Match[str] | None:
    """The last match of `pattern` in `before`, if at most `reach` words and no number stand
    between it and the end."""
    last = None
    for found in pattern.finditer(before):
        last = found
    if last is None:
        return None
    between = before[last.end() :]
    if any(ch.isdigit() for ch in between) or len(WORDS.findall(between)) > reach:
        return None
    return last


def _why_not(
    clause: Clause,
    text: str,
    number: _Number,
    cues: VersionCues,
    lex: Lexicon,
    *,
    hedged: bool,
) -> Why | None:
    """Why the version `number` settles nothing, or None when it is the answer."""
    m = number.match
    if hedged:
        return "hedged"
    describes = bool(DESCRIBES.search(text[: number.cue])) or bool(
        DESCRIBES.search(text[: m.start()])
    )
    if clause.question and not describes:
        return "asked-value"
    if lex.plugin.search(text) and not describes:
        return "about-plugin-value"  # "Terway Edge needs Kubernetes 1.28"
    before, after = text[: m.start()], text[m.end() :]
    tail = TAIL.search(before)
    head = HEAD.match(after)
    near = f"{tail.group(0) if tail else ''} \n {head.group(0) if head else ''}"
    plus = m.group("plus") or re.search(re.escape(m.group(0)) + r"\s*\+", clause.said.lower())
    bound = cues.bounds is not None and cues.bounds.search(near)
    if number.ranged or plus or bound or COMPARED.search(before):
        return "range"
    protected = spans(lex.not_negation, text) + spans(lex.hedge, text)
    before_neg = [s for s in spans(lex.negation_before, text) if not inside(s, protected)]
    after_neg = [s for s in spans(lex.negation_after, text) if not inside(s, protected)]
    mention = Mention(cues.key, (), True, m.start(), m.end())
    if negated(text, mention, before_neg, after_neg):
        return "negated"
    return None
