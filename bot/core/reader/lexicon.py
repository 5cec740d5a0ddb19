"""The vocabulary (knowledge/vocabulary.yaml) compiled to regular expressions, once per
knowledge version: what the rest of the reader matches against a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.knowledge import Knowledge, ListWords, VersionWords, VocabularyFile, YesNoWords

# " ... " in a phrase: up to a few words, within one clause (clauses are joined by newlines).
GAP = r"[^\w\n](?:[^\n]{0,40}?[^\w\n])?"
NUM = r"(?<![\w./])(\d+(?:\.\d+)?)(?![\w/]|\.\d|%)"
# Words between a number and its noun that may not stand there: "110 pods per node", "3 between".
NOT_A_MODIFIER = (
    r"(?!\d|(?:per|pods?|in|on|at|of|across|between|for|to|from|with|and|or|plus|x|by|each|is|are|"
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


LEADING_WORD = re.compile(r"[a-z][a-z0-9']*")


def _anchors(patterns: list[str]) -> tuple[str, ...] | None:
    """The literal words the phrases start with ("express connect" → "express", "(reach|call)
    ..." → "reach", "call", "(intel )?nucs?" → "intel", "nuc"); None when one of them starts
    with anything else."""
    found: set[str] = set()
    for pattern in patterns:
        words = _first_words(pattern)
        if words is None:
            return None
        found |= words
    return tuple(sorted(found))


def _first_words(pattern: str) -> set[str] | None:
    if pattern.startswith("("):
        if pattern.startswith("(?"):
            return None  # a lookaround or flag: nothing to tell
        depth, end = 0, -1
        for n, ch in enumerate(pattern):
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                end = n
                break
        if end < 0:
            return None
        words: set[str] = set()
        for branch in _top_level_branches(pattern[1:end]):
            first = _first_words(branch)
            if first is None:
                return None
            words |= first
        if pattern[end + 1 : end + 2] in ("?", "*"):  # an optional group: what follows, too
            rest = _first_words(pattern[end + 2 :].lstrip())
            if rest is None:
                return None
            words |= rest
        return words
    word = LEADING_WORD.match(pattern)
    if word is None:
        return None
    optional_s = pattern[word.end() : word.end() + 1] == "?" and word.group(0).endswith("s")
    return {word.group(0)[:-1] if optional_s else word.group(0)}


def _top_level_branches(inner: str) -> list[str]:
    branches, depth, start = [], 0, 0
    for n, ch in enumerate(inner):
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            branches.append(inner[start:n])
            start = n + 1
    return [*branches, inner[start:]]


@dataclass(frozen=True)
class Phrase:
    """One way to name a question's answer: `values` (a list's items) or a polarity (yes/no)."""

    key: str
    pattern: re.Pattern[str]
    values: tuple[str, ...] = ()
    polarity: bool = True  # False: the phrase states the opposite ("behind NAT" for l3)
    group: bool = False  # names several values at once ("load balancers")
    unless: re.Pattern[str] | None = None
    # Words one of which every match starts with; None when that cannot be told. A message
    # without any of them cannot match, and the pattern is not run (most phrases, most texts).
    anchors: tuple[str, ...] | None = None

    def may_match(self, text: str) -> bool:
        return self.anchors is None or any(a in text for a in self.anchors)


@dataclass(frozen=True)
class VersionCues:
    """The words of one version question (vocabulary.yaml `versions`), compiled; None where
    the vocabulary gives none."""

    key: str
    before: re.Pattern[str] | None
    verbs: re.Pattern[str] | None
    after: re.Pattern[str] | None
    bounds: re.Pattern[str] | None
    other: re.Pattern[str] | None
    later: re.Pattern[str] | None

    @classmethod
    def compile(cls, key: str, words: VersionWords) -> VersionCues:
        def optional(patterns: list[str]) -> re.Pattern[str] | None:
            return _any(patterns) if patterns else None  # no phrase matches nothing

        return cls(
            key,
            optional(words.before),
            optional(words.verbs),
            optional(words.after),
            optional(words.bounds),
            optional(words.other),
            optional(words.later),
        )


@dataclass(frozen=True)
class Lexicon:
    """The vocabulary compiled. Patterns that read normalised text are case-sensitive (the text
    is lower case already, and vocabulary.yaml is checked to be); those that split the user's
    own text ignore case."""

    vocab: VocabularyFile
    typos: re.Pattern[str]
    expansions: list[tuple[re.Pattern[str], str]]
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
    each_with: re.Pattern[str]
    preferred_over: re.Pattern[str]
    vague_sum: re.Pattern[str]
    multiply: re.Pattern[str]
    spread: re.Pattern[str]
    site_word: re.Pattern[str]  # one site noun, whole
    pods: re.Pattern[str]
    per_node: re.Pattern[str]
    cidr_roles: dict[str, re.Pattern[str]]
    cidr_within: re.Pattern[str]
    phrases: list[Phrase]
    list_items: re.Pattern[str]
    not_nodes: re.Pattern[str]  # things a place before them describes ("on-prem Prometheus")
    kinds: dict[str, str] = field(default_factory=dict)  # question key → its type
    versions: tuple[VersionCues, ...] = ()


_LEXICONS: dict[str, Lexicon] = {}  # by knowledge version: compiled once per process


def lexicon_for(kb: Knowledge) -> Lexicon:
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
                phrases.append(
                    Phrase(key, _any(patterns), values=(value,), anchors=_anchors(patterns))
                )
                items.extend(patterns)
            for group in words.groups.values():
                phrases.append(
                    Phrase(
                        key,
                        _any(group.phrases),
                        tuple(group.values),
                        group=True,
                        anchors=_anchors(group.phrases),
                    )
                )
                items.extend(group.phrases)
        elif isinstance(words, YesNoWords):
            unless = _any(words.unless) if words.unless else None
            phrases.append(Phrase(key, _any(words.yes), unless=unless, anchors=_anchors(words.yes)))
            if words.no:
                phrases.append(
                    Phrase(key, _any(words.no), polarity=False, anchors=_anchors(words.no))
                )
    known = set(v.fuzzy) | set(v.typos.values())
    return Lexicon(
        vocab=v,
        expansions=[(re.compile(_phrase(k)), r) for k, r in v.expansions.items()],
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
        # "… matters more then performance": a comparison's "than", misspelt, breaks nothing.
        breaks=re.compile(
            r"(?<!more)(?<!less)(?<!rather)\s+(?=(?:" + "|".join(v.clause_breaks) + r")(?![\w-]))",
            re.IGNORECASE,
        ),
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
        # "node count: 1.2k", "GKE nodes (about 60) plus our office NUCs (12)"
        reverse_count=re.compile(
            r"(?<![\w/-])(?:nodes?|node count|number of nodes|cluster size)\s*"
            r"(?:of|is|=|:|will be|are|count)?\s*(?:about|around|roughly|approx\.?|~)?\s*"
            + NUM
            + rf"|(?<![\w/-]){count_noun}\s+(?:about|around|roughly|approx\.?)?\s*"
            + NUM
            + r"(?=\s*(?:$|[,;.+]|plus\b|and\b))"
        ),
        sites=re.compile(NUM + rf"\s+(?:{NOT_A_MODIFIER}[\w'-]+\s+){{0,2}}{site_noun}\b"),
        per_site=re.compile(
            rf"(?<![\w.])(?P<per>\d+|one|a|an|single)\s+{modifiers}(?:{count_noun}\s+)?"
            rf"(?:(?:per|(?:in|at|for|on|aboard|inside) each|(?:in|at|on) every|a)\s+"
            rf"(?:of\s+(?:(?:our|the|their)\s+)?(?:(?P<sites>\d+)\s+)?)?(?P<site>[a-z][\w-]*)"
            rf"|(?:in |at |for |on )?each)\b"
        ),
        # "24 oil rigs with 2 ruggedised edge boxes each", "250 stations, each with a mini PC"
        each_with=re.compile(
            rf"(?<![\w.])(?P<sites>\d+)\s+(?:[\w'-]+\s+){{0,2}}?(?P<site>[a-z][\w-]*)?,?\s+"
            rf"(?:each\s+)?(?:with|gets?|has|have|runs?)\s+(?P<per>\d+|one|a|an)\s+{modifiers}"
            rf"{count_noun}(?:\s+each)?(?![\w-])"
        ),
        # "each gets one fanless edge box", "in each one 3 edge box"
        each_gets=re.compile(
            rf"(?<![\w-])each(?:\s+[\w'-]+){{0,3}}?\s+(?P<per>\d+|one|a|an)\s+{modifiers}"
            rf"{count_noun}(?![\w-])"
        ),
        preferred_over=_any(v.preferred_over),
        vague_sum=re.compile(r"(?:\+|(?<![\w-])plus)\s*(?:" + "|".join(v.vague_amounts) + r")\b"),
        multiply=re.compile(
            NUM
            + r"\s+(?P<things>(?:[\w-]+\s+){0,2}?)(?:x|×|\*|times)\s*"
            + NUM
            + rf"\s+{modifiers}"
            rf"{count_noun}\b"
        ),
        # "~700 across 30 provinces", "40 in our hangar DC" (after a count): a number of nodes
        # said before where they are.
        site_word=re.compile(site_noun),
        spread=re.compile(
            NUM + rf"\s+(?:across|over|throughout)\s+(?:\d+\s+)?(?:[\w'-]+\s+)?{site_noun}\b"
        ),
        pods=re.compile(
            NUM + r"\s+(?:" + "|".join(v.pod_nouns) + r")(?![\w-])(?!\s*(?:cidr|network))"
        ),
        per_node=_any(v.per_node),
        cidr_roles={key: _any(patterns) for key, patterns in v.cidr_roles.items()},
        cidr_within=_any(v.cidr_within),
        phrases=phrases,
        list_items=_any(items),
        not_nodes=re.compile(r"\s+(?:[\w'-]+\s+)?" + _any(v.not_nodes).pattern),
        kinds={q.key: q.type for q in kb.questions},
        versions=tuple(VersionCues.compile(k, w) for k, w in v.versions.items()),
    )
