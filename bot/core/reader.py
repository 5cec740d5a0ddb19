"""The plain-words reader: what a platform engineer's sentence says about the planned cluster.

    read_words("we have 2k nodes across 30 retail stores, no BGP but a leased line", kb)

Deterministic and offline. The words it knows are data (knowledge/vocabulary.yaml); this module
is the grammar that decides what they mean where they stand:

1. the message is split into sentences and clauses (at , ; . ? ! brackets, dashes, "but", "if",
   and at "and" where a new statement starts; a bare list continues its clause: "no NLB, ALB
   or CLB");
2. each clause is normalised (case, quotes, domain typos, number words, 2k and 1.5k);
3. phrases of each question are found in it, and their polarity comes from the clause: negation
   before them (no, don't, without, neither …) or after them (isn't required), a hedge (maybe,
   not sure) or a question sets nothing and is reported, a bare "no"/"yes" clause answers the
   clause before it ("BGP? no", "express connect - yes");
4. numbers count nodes only before a count noun, sites before a site noun ("700 shops, one
   each"), pods per node and the per-node mask where a node is named; CIDRs take the role of the
   nearest cue (pod, service, VPC/host …);
5. across clauses, a key said two ways sets nothing (unless a correction says "actually"), lists
   add what is affirmed and drop what is negated, and counts take the largest (or the sum of
   "48 … + 16 …").

What it could not settle is returned as `unsure` with the user's words, so the answer can ask.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import process
from rapidfuzz.distance import OSA
from text_to_num import alpha2digit

from bot.core.knowledge import Knowledge, ListWords, VocabularyFile, YesNoWords

UnsureWhy = Literal["hedged", "asked", "contradictory", "no-role", "range", "about-plugin", "vague"]


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


# --- compiled vocabulary ---------------------------------------------------------------------

# " ... " in a phrase: up to a few words, within one clause (clauses are joined by newlines).
GAP = r"[^\w\n](?:[^\n]{0,40}?[^\w\n])?"
NUM = r"(?<![\w./])(\d+(?:\.\d+)?)(?![\w/]|\.\d|%)"
CIDR = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})(?![\w.])")
MASK = re.compile(r"(?<![\w.])/(\d{1,2})(?![\w.])")
YEAR = re.compile(r"^(19|20|21)\d\d$")
K_SUFFIX = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?k(?![\w])", re.IGNORECASE)
THOUSANDS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+)(?![\d])")
GROWTH = re.compile(
    r"\b(by (19|20)\d\d|next year|later|eventually|in the future|grow(s|ing)? to|"
    r"scal(e|ing) to|target|in \d+ years?|up to)\b"
)
SUM = re.compile(r"\+|\bplus\b|\band another\b")
PLUS_BEFORE = re.compile(NUM + r"\s*(?:\+|plus)\s*$")
# "600 workers in our IDC + 200 on ENS": a bare number added a few words after a count.
PLUS_AFTER = re.compile(
    r"(?:\s+(?!\d)[\w'-]+){0,4}?\s*(?:\+|plus)\s*" + NUM + r"(?!\s*(?:\S+\s+){0,3}?(?:nodes?|%))"
)
LEADING_SUM = re.compile(r"^\s*(?:\+|plus\b)")
# Words between a number and its noun that may not stand there: "110 pods per node", "3 between".
NOT_A_MODIFIER = (
    r"(?!\d|(?:per|pods?|in|on|at|of|across|between|for|to|from|with|and|or|x|by|each|is|are|"
    r"was|nodes?)(?![\w-]))"
)


def _phrase(pattern: str) -> str:
    """A vocabulary phrase as a regular expression (see vocabulary.yaml)."""
    body = pattern.replace(" ... ", "\x00").replace(" ?", "\x01").replace(" ", "[ -]+")
    return body.replace("\x00", GAP).replace("\x01", "[ -]?")


def _any(patterns: list[str]) -> re.Pattern[str]:
    """Any of the phrases, on whole words. Longest first: at one place, "no need for" is the
    trigger, not "no". One word-start check for all of them (not one each) keeps it fast."""
    ordered = sorted(patterns, key=len, reverse=True)
    # "n't", "/node", "\?": may start mid-word. A phrase may end before a hyphen ("BGP-capable").
    inside = [p for p in ordered if p.startswith(("n't", "\\", "/", ">", "+"))]
    words = "|".join(_phrase(p) for p in ordered if p not in inside)
    body = rf"(?<![\w-])(?:{words})"
    if inside:
        body = "|".join([body, *(_phrase(p) for p in inside)])
    return re.compile(rf"(?:{body})(?!\w)")


@dataclass(frozen=True)
class Phrase:
    """One way to name a question's answer: `values` (a list's items) or a polarity (yes/no)."""

    key: str
    pattern: re.Pattern[str]
    values: tuple[str, ...] = ()
    polarity: bool = True  # False: the phrase states the opposite ("behind NAT" for l3)
    group: bool = False  # names several values at once ("load balancers")
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Lexicon:
    """The vocabulary compiled. Patterns that read normalised text are case-sensitive (the text
    is lower case already, and vocabulary.yaml is checked to be); those that split the user's
    own text ignore case."""

    vocab: VocabularyFile
    typos: re.Pattern[str]
    numbers: re.Pattern[str]
    fuzzy_known: frozenset[str]
    hedge: re.Pattern[str]
    not_negation: re.Pattern[str]
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    breaks: re.Pattern[str]
    premise: re.Pattern[str]
    opener: re.Pattern[str]
    correction: re.Pattern[str]
    answers: dict[bool, re.Pattern[str]]
    plugin: re.Pattern[str]
    count: re.Pattern[str]
    reverse_count: re.Pattern[str]
    sites: re.Pattern[str]
    per_site: re.Pattern[str]
    each_gets: re.Pattern[str]
    preferred_over: re.Pattern[str]
    vague_sum: re.Pattern[str]
    multiply: re.Pattern[str]
    pods: re.Pattern[str]
    per_node: re.Pattern[str]
    cidr_roles: dict[str, re.Pattern[str]]
    cidr_within: re.Pattern[str]
    phrases: list[Phrase]
    list_items: re.Pattern[str]
    place: re.Pattern[str]  # any location phrase
    kinds: dict[str, str] = field(default_factory=dict)  # question key → its type


_LEXICONS: dict[str, Lexicon] = {}  # by knowledge version: compiled once per process


def _lexicon(kb: Knowledge) -> Lexicon:
    lexicon = _LEXICONS.get(kb.version)
    if lexicon is None:
        lexicon = _LEXICONS[kb.version] = _compile(kb)
    return lexicon


def _compile(kb: Knowledge) -> Lexicon:
    v = kb.vocabulary
    count_noun = "(?:" + "|".join(v.count_nouns) + ")"
    site_noun = "(?:" + "|".join(v.site_nouns) + ")"
    modifiers = rf"(?:{NOT_A_MODIFIER}[\w'-]+\s+){{0,3}}"
    phrases: list[Phrase] = []
    items: list[str] = []
    for key, words in v.questions.items():
        if isinstance(words, ListWords):
            for value, patterns in words.values.items():
                phrases.append(Phrase(key, _any(patterns), values=(value,)))
                items.extend(patterns)
            for group in words.groups.values():
                phrases.append(Phrase(key, _any(group.phrases), tuple(group.values), group=True))
                items.extend(group.phrases)
        elif isinstance(words, YesNoWords):
            unless = _any(words.unless) if words.unless else None
            phrases.append(Phrase(key, _any(words.yes), unless=unless))
            if words.no:
                phrases.append(Phrase(key, _any(words.no), polarity=False))
    known = set(v.fuzzy) | set(v.typos.values())
    return Lexicon(
        vocab=v,
        typos=re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, v.typos)) + r")(?![\w-])", re.IGNORECASE
        ),
        numbers=re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, v.numbers)) + r")(?![\w-])", re.IGNORECASE
        ),
        fuzzy_known=frozenset(known),
        hedge=_any(v.hedges),
        not_negation=_any(v.negation.not_negation),
        negation_before=_any(v.negation.before),
        negation_after=_any(v.negation.after),
        breaks=re.compile(r"\s+(?=(?:" + "|".join(v.clause_breaks) + r")(?![\w-]))", re.IGNORECASE),
        premise=re.compile(r"^(?:" + "|".join(v.premises) + r")(?![\w-])", re.IGNORECASE),
        opener=re.compile(r"^(?:" + "|".join(v.openers) + r")(?![\w-])", re.IGNORECASE),
        correction=_any(v.corrections),
        answers={
            polarity: re.compile(
                r"^(?:" + "|".join(sorted(v.answers[word], key=len, reverse=True)) + r")(?![\w'])"
            )
            for polarity, word in ((True, "yes"), (False, "no"))
        },
        plugin=_any(v.plugins),
        count=re.compile(NUM + rf"\s+{modifiers}{count_noun}(?![\w-])"),
        reverse_count=re.compile(
            r"(?<![\w-])(?:nodes?|node count|number of nodes|cluster size)\s*"
            r"(?:of|is|=|:|will be|are|count)?\s*(?:about|around|roughly|approx\.?|~)?\s*" + NUM
        ),
        sites=re.compile(NUM + rf"\s+(?:{NOT_A_MODIFIER}[\w'-]+\s+){{0,2}}{site_noun}\b"),
        per_site=re.compile(
            rf"(?<![\w.])(?P<per>\d+|one|a|an|single)\s+{modifiers}(?:{count_noun}\s+)?"
            rf"(?:(?:per|in each|at each|for each|in every|at every|a)\s+"
            rf"(?:of\s+(?:our|the|their)\s+(?:(?P<sites>\d+)\s+)?)?{site_noun}"
            rf"|(?:in |at |for )?each)\b"
        ),
        # "each gets one fanless edge box", "in each one 3 edge box"
        each_gets=re.compile(
            rf"(?<![\w-])each(?:\s+[\w'-]+){{0,3}}?\s+(?P<per>\d+|one|a|an)\s+{modifiers}"
            rf"{count_noun}(?![\w-])"
        ),
        preferred_over=_any(v.preferred_over),
        vague_sum=re.compile(r"(?:\+|(?<![\w-])plus)\s*(?:" + "|".join(v.vague_amounts) + r")\b"),
        multiply=re.compile(
            NUM + r"\s+(?:[\w-]+\s+){0,2}?(?:x|×|\*|times)\s*" + NUM + rf"\s+{modifiers}"
            rf"{count_noun}\b"
        ),
        pods=re.compile(
            NUM + r"\s+(?:" + "|".join(v.pod_nouns) + r")(?![\w-])(?!\s*(?:cidr|network))"
        ),
        per_node=_any(v.per_node),
        cidr_roles={key: _any(patterns) for key, patterns in v.cidr_roles.items()},
        cidr_within=_any(v.cidr_within),
        phrases=phrases,
        list_items=_any(items),
        place=_any([p for ps in v.questions["location"].values.values() for p in ps]),
        kinds={q.key: q.type for q in kb.questions},
    )


# --- clauses ---------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
# Commas split, except inside a number (1,200); so do brackets and a dash or slash between spaces.
PIECE = re.compile(r"[()\[\]]|(?<!\d),|,(?!\d{3}(?!\d))|\s[-–—/]\s|\s[-–—]{1,2}(?=\s)")
AND = re.compile(r"\s+(?:and|&)\s+(?=(\S+))", re.IGNORECASE)
LIST_FILLER = re.compile(
    r"(?<![\w-])(?:and|or|nor|either|also|too|both|all|three|four|two|of them|the|\+|/|&|"
    r"as well)(?![\w-])",
    re.IGNORECASE,
)
QUESTION_WORD = re.compile(
    r"^(?:do|does|did|is|are|was|will|would|can|could|should|must|shall|what|what's|which|how|"
    r"why|where|who|any)(?![\w-])",
    re.IGNORECASE,
)
# A phrase right after a preposition describes where or what ("for 5 nodes in one office?"):
# it stands even inside a question, and a negation further back does not reach it.
PRESUPPOSING = re.compile(
    r"(?<![\w-])(?:in|at|on|from|across)\s+(?:(?:our|the|a|an|their|its|my|own)\s+)*$"
)
# How far a negation reaches, in words, from its trigger to the phrase it negates.
NEGATION_REACH = 6
WORDS = re.compile(r"[\w']+")


@dataclass
class Clause:
    said: str  # the user's own words
    text: str  # normalised
    sentence: int
    question: bool = False  # part of a question, before any premise ("do we need X if …")
    premise: bool = False


def _split_sentence(sentence: str, lex: Lexicon) -> list[tuple[str, bool]]:
    """(piece, starts a premise) for each clause of one sentence."""
    pieces: list[str] = []
    for part in PIECE.split(sentence):
        for sub in lex.breaks.split(part):
            start = 0
            for m in AND.finditer(sub):
                if lex.opener.match(m.group(1)):
                    pieces.append(sub[start : m.start()])
                    start = m.end()
            pieces.append(sub[start:])
    merged: list[str] = []
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if merged and _only_list_items(piece.lower(), lex):
            merged[-1] = f"{merged[-1]}, {piece}"  # "no NLB, ALB or CLB": one clause
        else:
            merged.append(piece)
    return [(p, bool(lex.premise.match(p))) for p in merged]


def _only_list_items(piece: str, lex: Lexicon) -> bool:
    if not lex.list_items.search(piece):
        return False
    return not LIST_FILLER.sub(" ", lex.list_items.sub(" ", piece)).strip(" .,;:!?")


def _clauses(text: str, lex: Lexicon) -> list[Clause]:
    clauses: list[Clause] = []
    start = 0
    sentences: list[tuple[str, bool]] = []
    for m in SENTENCE_END.finditer(text):
        sentences.append((text[start : m.start()], "?" in m.group(0)))
        start = m.end()
    sentences.append((text[start:], False))
    for number, (sentence, asks) in enumerate(sentences):
        pieces = [(p.strip(" \t,;:-–—"), premise) for p, premise in _split_sentence(sentence, lex)]
        pieces = [(said, premise) for said, premise in pieces if said]
        # In a question, the clause that asks is the one opening with a question word (else the
        # last before any premise): "we have 300 nodes, do we need BGP if …?"
        asking = None
        if asks:
            openers = [n for n, (said, _) in enumerate(pieces) if QUESTION_WORD.match(said)]
            premises = [n for n, (_, premise) in enumerate(pieces) if premise] + [len(pieces)]
            asking = openers[0] if openers else max(0, premises[0] - 1)
        in_premise = False
        for n, (said, starts_premise) in enumerate(pieces):
            in_premise = in_premise or starts_premise
            clauses.append(
                Clause(
                    said=said,
                    text=_normalise(said, lex),
                    sentence=number,
                    question=n == asking,
                    premise=in_premise,
                )
            )
    return clauses


# --- normalisation ---------------------------------------------------------------------------

QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
WORD = re.compile(r"[a-z][a-z'-]{5,}")


def _normalise(text: str, lex: Lexicon) -> str:
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).lower()
    text = lex.typos.sub(lambda m: lex.vocab.typos[m.group(1).lower()], text)
    text = WORD.sub(lambda m: _fuzzy(m.group(0), lex), text)
    text = THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)
    text = K_SUFFIX.sub(lambda m: str(round(float(m.group(1)) * 1000)), text)
    text = text.replace("~", " ")
    with contextlib.suppress(ValueError, RuntimeError):  # odd input: keep the words
        text = alpha2digit(text, "en")
    text = lex.numbers.sub(lambda m: str(lex.vocab.numbers[m.group(1).lower()]), text)
    text = re.sub(r"\ba (\d)", r"\1", text)  # "a 100 nodes"
    return " ".join(text.split())  # one space between words: phrases match with " "


def _fuzzy(word: str, lex: Lexicon) -> str:
    if word in lex.fuzzy_known:
        return word
    best = process.extractOne(word, lex.vocab.fuzzy, scorer=OSA.distance, score_cutoff=1)
    return best[0] if best else word


# --- one clause ------------------------------------------------------------------------------


@dataclass
class Mention:
    key: str
    values: tuple[str, ...]
    polarity: bool
    start: int
    end: int
    group: bool = False
    presupposed: bool = False


@dataclass
class Statement:
    """What one clause says about one key."""

    key: str
    value: Any
    clause: int
    correction: bool = False
    kind: Literal["set", "add", "drop", "only"] = "set"


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


def _all_mentions(clauses: list[Clause], lex: Lexicon) -> list[list[Mention]]:
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
        [m for m in _one_per_place(mentions) if _names_nodes(m, clauses[n].text, lex)]
        for n, mentions in enumerate(found)
    ]


# After a place, words that leave it naming where nodes run ("ENS in 40 cities", "IDC + AWS",
# "our IDC network"); any other word makes it an adjective of something else ("our on-prem
# Prometheus", "IoT sensors"), unless a count noun follows within three words.
PLACE_TAIL = re.compile(
    r"(?:and|or|nor|plus|only|in|on|at|with|for|from|onto|to|into|across|via|is|are|was|were|"
    r"will|has|have|uses?|sides?|too|as|but|so|then|where|which|that|based|per|each|x|network|"
    r"networks|cidr|subnet|range|pools?|clusters?|regions?|zones?|here|there|now|today|half|"
    r"mostly|rest)$"
)


def _names_nodes(mention: Mention, text: str, lex: Lexicon) -> bool:
    if mention.key != "location" or mention.values == ("edge-device",):
        return True  # edge devices are the nodes themselves: "Raspberry Pis work with …"
    after = WORDS.findall(text[mention.end :])[:3]
    if not after or not re.match(r"\s*[\w']", text[mention.end :]):
        return True  # the clause ends, or punctuation follows: "idc + aws", "ENS, NLB"
    if PLACE_TAIL.match(after[0]) or after[0].isdigit():
        return True
    rest = " ".join(after)
    return bool(lex.count.search("1 " + rest) or lex.place.match(rest))


def _one_per_place(found: list[Mention]) -> list[Mention]:
    """One mention per key and place: the longest phrase wins ("edge node service" over
    "ens"); places after a pod-access phrase name the client, not the nodes."""
    found.sort(key=lambda m: (m.start - m.end, m.start))
    kept: list[Mention] = []
    for mention in found:
        if any(
            k.start < mention.end and mention.start < k.end and k.key == mention.key for k in kept
        ):
            continue
        kept.append(mention)
    access = [m.end for m in kept if m.key == "pod-ip-access"]
    if access:
        kept = [m for m in kept if not (m.key == "location" and m.start >= min(access))]
    return sorted(kept, key=lambda m: m.start)


def _negated(text: str, mention: Mention, before: list, after: list) -> bool:
    """A trigger a few words before the phrase (or inside it: "pods must not be reachable")
    negates it, unless the phrase describes a place or thing ("not supported … in our IDC");
    so does one a few words after it ("… isn't required")."""
    for start, end in before:
        if mention.start <= start < mention.end:
            return True
        if end <= mention.start:
            words = len(WORDS.findall(text[end : mention.start]))
            if words <= (1 if mention.presupposed else NEGATION_REACH):
                return True
    for start, _ in after:
        if start >= mention.end and len(WORDS.findall(text[mention.end : start])) <= NEGATION_REACH:
            return True
    return False


# --- numbers and CIDRs -----------------------------------------------------------------------


def _number(raw: str) -> int | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


@dataclass
class Numbers:
    # (value, clause, added to the count before it: "48 nodes on ECS + 16 on-prem servers")
    counts: list[tuple[int, int, bool]] = field(default_factory=list)
    bare: list[tuple[int, int]] = field(default_factory=list)  # (value, clause)
    sites: list[int] = field(default_factory=list)
    per_site: list[int] = field(default_factory=list)
    vague: str = ""  # a sum with a term nobody counted: the user's words


def _read_numbers(i: int, clause: Clause, text: str, lex: Lexicon, numbers: Numbers) -> str:
    """Counts of nodes and sites in one clause (CIDRs and masks already blanked out)."""
    last_end: int | None = None
    for m in lex.multiply.finditer(text):
        a, b = _number(m.group(1)), _number(m.group(2))
        if a and b:
            numbers.counts.append((a * b, i, False))
            last_end = m.end()
        text = _blank(text, m.span())
    if lex.vague_sum.search(text) and lex.count.search(text):
        numbers.vague = clause.said
    for m in [*lex.per_site.finditer(text), *lex.each_gets.finditer(text)]:
        raw = m.group("per")
        per = 1 if raw in ("one", "a", "an", "single") else _number(raw)
        if per:
            numbers.per_site.append(per)
        sites = _number(m.groupdict().get("sites") or "")
        if sites:  # "in each of our 40 branches"
            numbers.sites.append(sites)
        text = _blank(text, m.span())
    for m in lex.sites.finditer(text):
        sites = _number(m.group(1))
        if sites:
            numbers.sites.append(sites)
        text = _blank(text, m.span())
    matches = sorted(
        (m for pattern in (lex.count, lex.reverse_count) for m in pattern.finditer(text)),
        key=lambda m: m.start(),
    )
    for m in matches:
        before = text[: m.start()]
        if before.rsplit(None, 1)[-1:] in (["layer"], ["l"], ["version"], ["v"], ["port"], ["mtu"]):
            continue
        count = _number(m.group(1))
        if not count:
            continue
        # "48 + 16 nodes": the number before the plus counts the same nodes.
        plus = PLUS_BEFORE.search(before)
        if plus and _number(plus.group(1)):
            count += _number(plus.group(1)) or 0
            before = _blank(before, plus.span())
        # "600 workers in our IDC + 200 on ENS": a bare number added on counts the same nodes.
        added = PLUS_AFTER.match(text, m.end())
        if added and _number(added.group(1)):
            count += _number(added.group(1)) or 0
        # Joined to the count before it by "+" or "plus", in this clause or opening it.
        joined = bool(SUM.search(text[last_end or 0 : m.start()])) and (
            last_end is not None or bool(LEADING_SUM.match(text))
        )
        numbers.counts.append((count, i, joined))
        last_end = added.end() if added else m.end()
        text = _blank(before + text[m.start() :], (m.start(), last_end))
    for m in re.finditer(NUM, text):
        value = _number(m.group(1))
        if value and not YEAR.match(m.group(1)):
            numbers.bare.append((value, i))
    return text


def _node_count(clauses: list[Clause], numbers: Numbers, places: list[set[str]]) -> int | None:
    """The node count: counts joined by "+" add up, and so do counts of different places
    ("Edge: 300 ENS instances. Cloud: 20 ECS."); otherwise the largest (ranges, growth)."""
    if not numbers.counts:
        if numbers.sites and numbers.per_site:
            return max(numbers.sites) * max(numbers.per_site)
        return None
    total: list[int] = []
    previous: int | None = None
    for value, clause, joined in numbers.counts:
        elsewhere = (
            previous is not None
            and previous != clause
            and places[previous]
            and places[clause]
            and not places[previous] & places[clause]
        )
        if (joined or elsewhere) and total:
            total[-1] += value
        else:
            total.append(value)
        previous = clause
    best = max(total)
    # "30 nodes now, ~500 by 2027": growth plans for the largest.
    counted = {c[1] for c in numbers.counts}
    for value, clause in numbers.bare:
        if clause not in counted and GROWTH.search(clauses[clause].text):
            best = max(best, value)
    return best


def _cidr_role(text: str, start: int, end: int, lex: Lexicon) -> str | None:
    """The key of the nearest cue before the CIDR (no other CIDR between), or right after it."""
    best: tuple[int, str] | None = None
    for key, pattern in lex.cidr_roles.items():
        for m in pattern.finditer(text[:start]):
            between = text[m.end() : start]
            if CIDR.search(between) or "," in between:
                continue
            if best is None or m.end() > best[0]:
                best = (m.end(), key)
    if best:
        return best[1]
    after = text[end : end + 24]
    for key, pattern in lex.cidr_roles.items():
        m = pattern.search(after)
        if m and re.match(r"^\s*(?:for|is|=|:|as|\(|in)?\s*(?:the\s+)?$", after[: m.start()]):
            return key
    return None


# --- the whole message -----------------------------------------------------------------------


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
    lex = _lexicon(kb)
    clauses = _clauses(text, lex)
    msg = _Message(clauses, _all_mentions(clauses, lex))
    for i, clause in enumerate(clauses):
        if lex.correction.search(clause.text):
            msg.corrected_from = i
        # "actually scratch that, finance approved 400": the rest of the sentence corrects.
        correction = msg.corrected_from is not None and (
            clauses[msg.corrected_from].sentence == clause.sentence
        )
        if i > 0 and not clause.question and _answers_before(msg, i, lex, correction):
            continue
        hedged = bool(lex.hedge.search(clause.text))
        rest = _read_cidrs(msg, i, lex, hedged, correction)
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
    return bool(targets) or answer != "hedge"


_PRONOUN = re.compile(r"(?<![\w-])(?:it|one|that)(?![\w-])")


def _read_cidrs(msg: _Message, i: int, lex: Lexicon, hedged: bool, correction: bool) -> str:
    """The clause's CIDRs, each in the role of its cue; the text with them (and per-node masks
    and pods per node) blanked out, so that their digits count nothing."""
    clause = msg.clauses[i]
    text = clause.text
    for m in CIDR.finditer(text):
        raw = m.group(1)
        role = _cidr_role(text, *m.span(), lex)
        if hedged or clause.question:
            why: UnsureWhy = "hedged" if hedged else "asked"
            msg.unsure.append(Unsure(key=role, said=raw, why=why))
        elif lex.cidr_within.search(text[max(0, m.start() - 30) : m.start()]):
            msg.unsure.append(Unsure(key=role, said=raw, why="range"))
        elif role is None:
            msg.unsure.append(Unsure(key=None, said=raw, why="no-role"))
        else:
            msg.statements.append(Statement(role, raw, i, correction))
        text = _blank(text, m.span())
    if lex.per_node.search(text):
        for m in MASK.finditer(text):
            msg.per_node["per-node-mask"].append((int(m.group(1)), i))
            text = _blank(text, m.span())
        for m in lex.pods.finditer(text):
            value = _number(m.group(1))
            if value:
                msg.per_node["pods-per-node"].append((value, i))
            text = _blank(text, m.span())
    return text


def _read_counts(
    msg: _Message, i: int, text: str, lex: Lexicon, hedged: bool, correction: bool
) -> None:
    numbers = msg.numbers
    counts_before = len(numbers.counts)
    _read_numbers(i, msg.clauses[i], text, lex, numbers)
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
    protected = _spans(lex.not_negation, clause.text) + _spans(lex.hedge, clause.text)
    before = [s for s in _spans(lex.negation_before, clause.text) if not _inside(s, protected)]
    after = [s for s in _spans(lex.negation_after, clause.text) if not _inside(s, protected)]
    about_plugin = bool(lex.plugin.search(clause.text))
    # "just ENS", "ECS only": this clause's items are the whole list.
    only = bool(ONLY.search(clause.text))
    for mention in _preferred(mentions, clause.text, lex):
        kind = lex.kinds[mention.key]
        if hedged:
            msg.unsure.append(Unsure(key=mention.key, said=clause.said, why="hedged"))
            continue
        settles = kind in ("multi", "int", "cidr") or mention.presupposed
        if not settles and (clause.question or about_plugin):
            msg.pending.append((i, mention))
            continue
        polarity = mention.polarity != _negated(clause.text, mention, before, after)
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


ONLY = re.compile(r"^(?:only|just)(?![\w-])|(?<![\w-])only\s*$")


def _preferred(mentions: list[Mention], text: str, lex: Lexicon) -> list[Mention]:
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


def _counted(msg: _Message, lex: Lexicon) -> list[Found]:
    """The node count, dispersion from many sites, pods per node and the per-node mask."""
    clauses, numbers = msg.clauses, msg.numbers
    found: list[Found] = []
    places = [{v for m in ms if m.key == "location" for v in m.values} for ms in msg.mentions]
    nodes = _node_count(clauses, numbers, places)
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
        r"\b(just (checking|asking)|really|thanks|please|fine|ok|okay|also|still)\b", " ", bare
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
            for s in said_all:
                if s.kind == "only":
                    chosen = [v for v in s.value if v not in dropped]
                elif s.kind == "add":
                    chosen += [v for v in s.value if v not in chosen]
                else:
                    dropped.update(s.value)
            both = [v for v in chosen if v in dropped]
            if both:
                unsure.append(Unsure(key=q.key, said=said, why="contradictory"))
            chosen = [v for v in chosen if v not in dropped]
            if chosen:
                found.append(Found(key=q.key, value=chosen, said=said))
            elif q.none_value and dropped >= set(q.choice_values()) - {q.none_value}:
                found.append(Found(key=q.key, value=[q.none_value], said=said))
            continue
        distinct = list(dict.fromkeys(str(s.value) for s in said_all))
        if len(distinct) > 1:
            unsure.append(Unsure(key=q.key, said=said, why="contradictory"))
            continue
        found.append(Found(key=q.key, value=said_all[0].value, said=said))
    return found, unsure


def _unique(items: list[Unsure]) -> list[Unsure]:
    return list(dict.fromkeys(items))
