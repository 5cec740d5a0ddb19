"""The phrases of each question found in a clause, and whether the clause negates them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bot.core.reader.clauses import Clause
from bot.core.reader.lexicon import Lexicon

# A phrase right after a preposition describes where or what ("for 5 nodes in one office?"):
# it stands even inside a question, and a negation further back does not reach it.
PRESUPPOSING = re.compile(
    r"(?<![\w-])(?:in|at|on|from|across)\s+(?:(?:our|the|a|an|their|its|my|own)\s+)*$"
)
# How far a negation reaches, in words, from its trigger to the phrase it negates.
NEGATION_REACH = 6
WORDS = re.compile(r"[\w']+")
# A colon or semicolon between a negation and a phrase ends its reach ("not dispersed at all:
# one server room"); one right before an answer does not ("NLB: none of them").
SCOPE_END = re.compile(r"[:;]")
# Two phrases of one yes/no question this few words apart say one thing.
SAME_THING_GAP = 2


@dataclass
class Mention:
    """A phrase of one question found in a clause, at [start, end) of its normalised text."""

    key: str
    values: tuple[str, ...]
    polarity: bool
    start: int
    end: int
    group: bool = False
    presupposed: bool = False


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def inside(span: tuple[int, int], within: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in within)


def find_mentions(clauses: list[Clause], lex: Lexicon) -> list[list[Mention]]:
    """Each clause's phrases. Every phrase pattern runs once over the whole message (the
    clauses joined by newlines, which no phrase crosses), not once per clause."""
    starts: list[int] = []
    offset = 0
    for clause in clauses:
        starts.append(offset)
        offset += len(clause.text) + 1
    joined = "\n".join(c.text for c in clauses)
    found: list[list[Mention]] = [[] for _ in clauses]
    for phrase in lex.phrases:
        if not phrase.may_match(joined):
            continue
        for m in phrase.pattern.finditer(joined):
            n = bisect.bisect_right(starts, m.start()) - 1
            text, start = clauses[n].text, m.start() - starts[n]
            if phrase.unless is not None and phrase.unless.search(text):
                continue
            found[n].append(
                Mention(
                    phrase.key,
                    phrase.values,
                    phrase.polarity,
                    start,
                    m.end() - starts[n],
                    group=phrase.group,
                    presupposed=bool(PRESUPPOSING.search(text[:start])),
                )
            )
    return [
        [
            m
            for m in _one_per_place(mentions, clauses[n].text)
            if _names_nodes(m, clauses[n].text, lex)
        ]
        for n, mentions in enumerate(found)
    ]


def _names_nodes(mention: Mention, text: str, lex: Lexicon) -> bool:
    """A place right before a thing that is no node describes that thing: "our on-prem
    Prometheus", "IDC firewalls", "the IoT hub" say nothing of where nodes run."""
    if mention.key != "location":
        return True
    return not lex.not_nodes.match(text, mention.end)


def _one_per_place(found: list[Mention], text: str) -> list[Mention]:
    """One mention per key and place: the longest phrase wins ("edge node service" over
    "ens"), and one saying the same thing a few words on widens it ("talk to a pod" + "pod
    IP directly", "reach every other site" + "at layer 3"), so that one negation decides both;
    places after a pod-access phrase name the client, not the nodes."""
    found.sort(key=lambda m: (m.start - m.end, m.start))
    kept: list[Mention] = []
    for mention in found:
        same = next(
            (
                k
                for k in kept
                if k.start < mention.end and mention.start < k.end and k.key == mention.key
            ),
            None,
        )
        if same is None:
            kept.append(mention)
        elif (same.values, same.polarity) == (mention.values, mention.polarity):
            same.start, same.end = min(same.start, mention.start), max(same.end, mention.end)
    kept.sort(key=lambda m: m.start)
    joined: list[Mention] = []
    for mention in kept:
        last = joined[-1] if joined else None
        between = text[last.end : mention.start] if last is not None else ""
        if (
            last is not None
            and not mention.values
            and (last.key, last.values, last.polarity)
            == (mention.key, mention.values, mention.polarity)
            and len(WORDS.findall(between)) <= SAME_THING_GAP
            and not SCOPE_END.search(between)
        ):
            last.end = mention.end
        else:
            joined.append(mention)
    kept = joined
    access = [m.end for m in kept if m.key == "pod-ip-access"]
    if access:
        kept = [m for m in kept if not (m.key == "location" and m.start >= min(access))]
    return sorted(kept, key=lambda m: m.start)


def negated(text: str, mention: Mention, before: list, after: list) -> bool:
    """Whether the triggers that reach the phrase negate it. A trigger a few words before it
    (or inside it: "pods must not be reachable") reaches it, unless the phrase describes a
    place or thing ("not supported … in our IDC"); so does one a few words after it ("… isn't
    required"). Two cancel out ("can't go live without NLB"); "neither … nor" is one."""
    reaching = 0
    neither = False
    for start, end in before:
        if mention.start <= start < mention.end or (start <= mention.start and mention.end <= end):
            reaches = True  # inside the phrase, or around it ("leave ECI out")
        elif end <= mention.start:
            between = text[end : mention.start]
            words = len(WORDS.findall(between))
            # A place or thing in a list ("… in our IDC") is only negated right before it.
            reach = 1 if mention.presupposed and mention.values else NEGATION_REACH
            reaches = words <= reach and not SCOPE_END.search(between)
        else:
            reaches = False
        if reaches and text.startswith("nor", start) and neither:
            continue
        neither = neither or (reaches and text.startswith("neither", start))
        reaching += reaches
    for start, _ in after:
        between = text[mention.end : start]
        if start >= mention.end and len(WORDS.findall(between)) <= NEGATION_REACH:
            reaching += not SCOPE_END.search(between.strip(" :-"))
    return reaching % 2 == 1


def preferred(mentions: list[Mention], text: str, lex: Lexicon) -> list[Mention]:
    """Of two values of one choice joined by a preference ("simplicity > perf", "perf over
    simplicity"), only the first is said."""
    kept: list[Mention] = []
    for mention in mentions:
        earlier = next(
            (
                k
                for k in kept
                if k.key == mention.key
                and k.values != mention.values
                and k.values
                and lex.preferred_over.search(text[k.end : mention.start])
            ),
            None,
        )
        if earlier is None or lex.kinds[mention.key] != "choice":
            kept.append(mention)
    return kept
