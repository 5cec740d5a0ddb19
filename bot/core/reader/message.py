"""The whole message: every clause read in turn (answers, CIDRs, counts, phrases), then one
value per key, or the reason there is none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.knowledge import Knowledge
from bot.core.reader.clauses import Clause, blank, split_clauses
from bot.core.reader.lexicon import Lexicon, lexicon_for
from bot.core.reader.mentions import Mention, find_mentions, inside, negated, preferred, spans
from bot.core.reader.numbers import (
    CIDR,
    MASK,
    MASK_NAMED,
    PODS_PER_NODE,
    Numbers,
    cidr_role,
    node_count,
    number,
    read_numbers,
)
from bot.core.reader.said import Found, Reading, Unsure, UnsureWhy
from bot.core.reader.versions import read_versions


@dataclass
class Statement:
    """What one clause says about one key."""

    key: str
    value: Any
    clause: int
    correction: bool = False
    # "later": a version the cluster is upgraded to, which gives way to one said plainly
    kind: Literal["set", "add", "drop", "only", "later"] = "set"


@dataclass
class _Message:
    """What the clauses of one message have said so far."""

    clauses: list[Clause]
    mentions: list[list[Mention]]  # by clause
    statements: list[Statement] = field(default_factory=list)
    unsure: list[Unsure] = field(default_factory=list)
    numbers: Numbers = field(default_factory=Numbers)
    per_node: dict[str, list[tuple[int, int]]] = field(
        default_factory=lambda: {"pods-per-node": [], "per-node-mask": []}
    )
    pending: list[tuple[int, Mention]] = field(default_factory=list)  # asked, or of a plugin
    corrected_from: int | None = None


def read_words(text: str, kb: Knowledge) -> Reading:
    lex = lexicon_for(kb)
    clauses = split_clauses(text, lex)
    msg = _Message(clauses, find_mentions(clauses, lex))
    for i, clause in enumerate(clauses):
        if lex.correction.search(clause.text):
            msg.corrected_from = i
        # "actually scratch that, finance approved 400": the rest of the sentence corrects.
        correction = msg.corrected_from is not None and (
            clauses[msg.corrected_from].sentence == clause.sentence
        )
        if i > 0 and not clause.question and _answers_before(msg, i, lex, correction):
            continue
        # "we'd pick Terway if it buys us throughput": a condition states nothing. (In a question
        # it is what the user has: "do we need BGP if our switches don't speak it?")
        hedged = bool(lex.hedge.search(clause.text)) or (
            clause.premise and not clause.asks and bool(CONDITION.match(clause.text))
        )
        rest = _read_cidrs(msg, i, lex, hedged, correction)
        rest = _read_versions(msg, i, rest, lex, hedged, correction)
        _read_counts(msg, i, rest, lex, hedged, correction)
        _read_mentions(msg, i, lex, hedged, correction)

    for j, mention in msg.pending:
        asked: UnsureWhy = "asked" if clauses[j].question else "about-plugin"
        msg.unsure.append(Unsure(key=mention.key, said=clauses[j].said, why=asked))
    found, conflicts = _settle(msg.statements, clauses, kb, msg.corrected_from)
    msg.unsure.extend(conflicts)
    found.extend(_counted(msg, lex))
    order = {q.key: n for n, q in enumerate(kb.questions)}
    found.sort(key=lambda f: order[f.key])
    return Reading(found=found, unsure=_unique(msg.unsure))


def _answers_before(msg: _Message, i: int, lex: Lexicon, correction: bool) -> bool:
    """A clause that only answers (or hedges) what was asked or said just before it: "BGP? no",
    "we have it", "express connect - yes", "Leased line: also TBD". True when it was one."""
    if msg.mentions[i]:
        return False  # "no need for cross-LAN traffic" says its own thing
    answer = _answer(msg.clauses[i].text, lex)
    if answer is None:
        return False
    asked = [j for j, _ in msg.pending if j >= i - 3]
    if asked:  # the latest question or plugin statement; "we have it" settles its last topic
        latest = max(asked)
        targets = [m for j, m in msg.pending if j == latest]
        if answer != "hedge" and _PRONOUN.search(msg.clauses[i].text):
            targets = targets[-1:]
        msg.pending = [(j, m) for j, m in msg.pending if not (j == latest and m in targets)]
    else:
        latest = i - 1
        targets = [m for m in msg.mentions[latest] if lex.kinds[m.key] == "bool"]
    for mention in targets:
        msg.statements = [
            s for s in msg.statements if not (s.clause == latest and s.key == mention.key)
        ]
        if answer == "hedge":
            said = f"{msg.clauses[latest].said} … {msg.clauses[i].said}"
            msg.unsure.append(Unsure(key=mention.key, said=said, why="hedged"))
        else:
            value = answer == mention.polarity
            msg.statements.append(Statement(mention.key, value, latest, correction))
    if answer is False:  # "Kubernetes 1.30 - no": a version has no opposite to take
        said = f"{msg.clauses[latest].said} … {msg.clauses[i].said}"
        for s in [s for s in msg.statements if s.clause == latest]:
            if lex.kinds.get(s.key) == "version":
                msg.statements.remove(s)
                msg.unsure.append(Unsure(key=s.key, said=said, why="negated"))
    if answer == "hedge":  # "pod cidr 10.88.0.0/13 | but not final": nothing of it stands
        for s in [s for s in msg.statements if s.clause == latest]:
            msg.statements.remove(s)
            msg.unsure.append(Unsure(key=s.key, said=msg.clauses[latest].said, why="hedged"))
    return bool(targets) or answer != "hedge"


_PRONOUN = re.compile(r"(?<![\w-])(?:it|one|that)(?![\w-])")


def _read_cidrs(msg: _Message, i: int, lex: Lexicon, hedged: bool, correction: bool) -> str:
    """The clause's CIDRs, each in the role of its cue; the text with them (and per-node masks
    and pods per node) blanked out, so that their digits count nothing."""
    clause = msg.clauses[i]
    text = clause.text
    for m in CIDR.finditer(text):
        raw = m.group(1)
        role = cidr_role(text, *m.span(), lex)
        if hedged or clause.question:
            why: UnsureWhy = "hedged" if hedged else "asked"
            msg.unsure.append(Unsure(key=role, said=raw, why=why))
        elif lex.cidr_within.search(text[max(0, m.start() - 30) : m.start()]):
            msg.unsure.append(Unsure(key=role, said=raw, why="range"))
        elif role is None:
            msg.unsure.append(Unsure(key=None, said=raw, why="no-role"))
        else:
            msg.statements.append(Statement(role, raw, i, correction))
        text = blank(text, m.span())
    named = [(MASK_NAMED, "per-node-mask"), (PODS_PER_NODE, "pods-per-node")]
    if lex.per_node.search(text):
        named += [(MASK, "per-node-mask"), (lex.pods, "pods-per-node")]
    for pattern, key in named:
        for m in pattern.finditer(text):
            value = number(next(g for g in m.groups() if g))
            if value:
                msg.per_node[key].append((value, i))
            text = blank(text, m.span())
    return text


def _read_versions(
    msg: _Message, i: int, text: str, lex: Lexicon, hedged: bool, correction: bool
) -> str:
    """The clause's Kubernetes versions; the text with them blanked out (no count reads them)."""
    if "." not in text:
        return text  # no version here (most clauses)
    said_before = any(lex.kinds.get(s.key) == "version" for s in msg.statements)
    versions, text = read_versions(
        msg.clauses[i], text, lex, hedged=hedged, correction=correction, said_before=said_before
    )
    for version in versions:
        if version.why is not None:
            msg.unsure.append(Unsure(key=version.key, said=msg.clauses[i].said, why=version.why))
        else:
            kind: Literal["set", "later"] = "later" if version.later else "set"
            msg.statements.append(Statement(version.key, version.value, i, correction, kind))
    return text


def _read_counts(
    msg: _Message, i: int, text: str, lex: Lexicon, hedged: bool, correction: bool
) -> None:
    numbers = msg.numbers
    counts_before = len(numbers.counts)
    # "40 nodes on ECS, 40 in our hangar DC, 20 on AWS": a number said of a place is a count.
    placed = PLACED_NUMBER.match(text)
    if placed and any(m.key == "location" for m in msg.mentions[i]) and number(placed.group(1)):
        numbers.counts.append((number(placed.group(1)) or 0, i, False))
        text = blank(text, placed.span(1))
    read_numbers(i, msg.clauses[i], text, lex, numbers)
    if hedged and len(numbers.counts) > counts_before:
        del numbers.counts[counts_before:]
        msg.unsure.append(Unsure(key="nodes", said=msg.clauses[i].said, why="hedged"))
    if correction and len(numbers.counts) == counts_before:
        # "actually scratch that, finance approved 400": a bare number corrects the count.
        bare = [value for value, j in numbers.bare if j == i]
        if bare and numbers.counts:
            numbers.counts = [(bare[-1], i, False)]


def _read_mentions(msg: _Message, i: int, lex: Lexicon, hedged: bool, correction: bool) -> None:
    clause = msg.clauses[i]
    mentions = msg.mentions[i]
    if not mentions:
        return
    protected = spans(lex.not_negation, clause.text) + spans(lex.hedge, clause.text)
    before = [s for s in spans(lex.negation_before, clause.text) if not inside(s, protected)]
    after = [s for s in spans(lex.negation_after, clause.text) if not inside(s, protected)]
    about_plugin = bool(lex.plugin.search(clause.text))
    # "just ENS", "ECS only": this clause's items are the whole list.
    only = bool(ONLY.search(clause.text))
    for mention in preferred(mentions, clause.text, lex):
        kind = lex.kinds[mention.key]
        if hedged:
            msg.unsure.append(Unsure(key=mention.key, said=clause.said, why="hedged"))
            continue
        settles = kind in ("multi", "int", "cidr") or mention.presupposed
        if not settles and (clause.question or about_plugin):
            msg.pending.append((i, mention))
            continue
        polarity = mention.polarity != negated(clause.text, mention, before, after)
        if kind == "bool":
            msg.statements.append(Statement(mention.key, polarity, i, correction))
        elif kind == "choice":
            if polarity:
                msg.statements.append(Statement(mention.key, mention.values[0], i, correction))
        elif polarity and mention.group:
            msg.unsure.append(Unsure(key=mention.key, said=clause.said, why="vague"))
        else:
            kind_ = ("only" if only else "add") if polarity else "drop"
            only = only and not polarity  # "just ENS plus some ECS": both, ENS first
            msg.statements.append(Statement(mention.key, mention.values, i, correction, kind_))


CONDITION = re.compile(r"^(?:if|unless|assuming|as long as|provided)(?![\w-])")
PLACED_NUMBER = re.compile(r"^\s*(?:about |around |roughly )?(\d+)\s+(?:more\s+)?(?:in|on|at)\s")
ONLY = re.compile(r"^(?:only|just)(?![\w-])|(?<![\w-])only\s*$")


def _counted(msg: _Message, lex: Lexicon) -> list[Found]:
    """The node count, dispersion from many sites, pods per node and the per-node mask."""
    clauses, numbers = msg.clauses, msg.numbers
    found: list[Found] = []
    places = [{v for m in ms if m.key == "location" for v in m.values} for ms in msg.mentions]
    nodes = node_count(clauses, numbers, places, lex)
    if numbers.vague:
        msg.unsure.append(Unsure(key="nodes", said=numbers.vague, why="vague"))
    elif nodes is not None:
        said = " … ".join(dict.fromkeys(clauses[c].said for _, c, _ in numbers.counts))
        found.append(Found(key="nodes", value=nodes, said=said or clauses[0].said))
    dispersed_said = any(s.key == "dispersed" for s in msg.statements) or any(
        u.key == "dispersed" for u in msg.unsure
    )
    many_sites = bool(numbers.sites) and max(numbers.sites) >= lex.vocab.dispersed_from_sites
    if many_sites and not dispersed_said:
        # Many sites ("700 shops", "40 cities") is what dispersed means; the number is policy.
        said = next((c.said for c in clauses if lex.sites.search(c.text)), clauses[0].said)
        found.append(Found(key="dispersed", value=True, said=said))
    for key, values in msg.per_node.items():
        distinct = {v for v, _ in values}
        if len(distinct) == 1:
            found.append(Found(key=key, value=values[0][0], said=clauses[values[0][1]].said))
        elif distinct:
            said = " … ".join(clauses[c].said for _, c in values)
            msg.unsure.append(Unsure(key=key, said=said, why="contradictory"))
    return found


def _answer(text: str, lex: Lexicon) -> bool | Literal["hedge"] | None:
    """yes/no when the clause only answers ("no", "we have it", "we need that for SIP"),
    "hedge" when it only hedges ("also TBD"), else None."""
    bare = re.sub(r"[^\w' ]+", " ", text)
    bare = re.sub(
        r"\b(just (checking|asking)|really|thanks|please|fine|ok|okay|also|still|but|and|though)\b",
        " ",
        bare,
    )
    bare = " ".join(bare.split())
    for polarity, pattern in lex.answers.items():
        m = pattern.match(bare)
        if m and (m.end() == len(bare) or ANSWER_TAIL.match(bare[m.end() :])):
            return polarity
    if bare and not lex.hedge.sub("", bare).strip():
        return "hedge"
    return None


# What may follow an answer in its clause: why ("we need that for our SIP trunks").
ANSWER_TAIL = re.compile(r"\s+(?:for|because|since|as|so|to|on|in)\b")


def _settle(
    statements: list[Statement], clauses: list[Clause], kb: Knowledge, corrected_from: int | None
) -> tuple[list[Found], list[Unsure]]:
    """One value per key from every clause's statements, or the contradiction named."""
    found: list[Found] = []
    unsure: list[Unsure] = []
    by_key: dict[str, list[Statement]] = {}
    for s in statements:
        by_key.setdefault(s.key, []).append(s)
    for q in kb.questions:
        said_all = by_key.get(q.key)
        if not said_all:
            continue
        # A correction ("actually …") replaces what was said before it.
        if corrected_from is not None and any(s.clause >= corrected_from for s in said_all):
            said_all = [s for s in said_all if s.clause >= corrected_from]
        said = " … ".join(dict.fromkeys(clauses[s.clause].said for s in said_all))
        if q.type == "multi":
            chosen: list[str] = []
            dropped: set[str] = set()
            corrected = corrected_from is not None and said_all[0].clause >= corrected_from
            for s in said_all:
                if s.kind == "only":
                    chosen = [v for v in s.value if v not in dropped]
                elif s.kind == "add":
                    chosen += [v for v in s.value if v not in chosen]
                    if corrected:  # "sorry, not Azure, it's GCP": the last word stands
                        dropped.difference_update(s.value)
                else:
                    dropped.update(s.value)
                    if corrected:
                        chosen = [v for v in chosen if v not in s.value]
            both = [v for v in chosen if v in dropped]
            if both:
                unsure.append(Unsure(key=q.key, said=said, why="contradictory"))
            chosen = [v for v in chosen if v not in dropped]
            if chosen:
                found.append(Found(key=q.key, value=chosen, said=said))
            elif q.none_value and dropped >= set(q.choice_values()) - {q.none_value}:
                found.append(Found(key=q.key, value=[q.none_value], said=said))
            continue
        if any(s.kind != "later" for s in said_all):  # "on 1.30 now, upgrading to 1.31 later"
            said_all = [s for s in said_all if s.kind != "later"]
            said = " … ".join(dict.fromkeys(clauses[s.clause].said for s in said_all))
        distinct = list(dict.fromkeys(str(s.value) for s in said_all))
        if len(distinct) > 1:
            unsure.append(Unsure(key=q.key, said=said, why="contradictory"))
            continue
        found.append(Found(key=q.key, value=said_all[0].value, said=said))
    return found, unsure


def _unique(items: list[Unsure]) -> list[Unsure]:
    return list(dict.fromkeys(items))
