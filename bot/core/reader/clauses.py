"""A message cut into clauses, each normalised: the units a negation, a hedge or an answer
applies to."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass

from bot.core.reader.lexicon import Lexicon

SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
# Commas split, except inside a number (1,200); so does a dash or slash between spaces.
BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
COUNT_ASIDE = re.compile(
    r"^[(\[]\s*(?:about|around|approx\.?|roughly|~)?\s*[\d,.]+k?\s*[)\]]$", re.I
)
UNSURE_WHETHER = re.compile(
    r"(?:sure|know|certain|idea|clear|decided|checking|confirm|unclear|wonder(?:ing)?)\W*$",
    re.IGNORECASE,
)
WHETHER = re.compile(r"^(?:if|whether)(?![\w-])", re.IGNORECASE)
PIECE = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))|\s[-–—/]\s|\s[-–—]{1,2}(?=\s)")
AND = re.compile(r"\s+(?:and|&)\s+(?=(\S+))", re.IGNORECASE)
# An answer after a colon or dash that ends a list: "CLB, ALB, NLB: none of them".
LIST_END = re.compile(
    r"\s*[:\-–]\s*(?:none of (?:them|those|these)|none|nope|no|not needed|not required|yes)\s*$",
    re.IGNORECASE,
)
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


@dataclass
class Clause:
    said: str  # the user's own words
    text: str  # normalised
    sentence: int
    question: bool = False  # part of a question, before any premise ("do we need X if …")
    premise: bool = False  # from "if", "since", "because" … on
    asks: bool = False  # its sentence ends with a question mark


def _split_sentence(sentence: str, lex: Lexicon) -> list[tuple[str, bool]]:
    """(piece, starts a premise) for each clause of one sentence. A bracket's words are a
    clause of their own, after the sentence they stand in, which reads on without them: "our
    DC (where the nodes live) has 10.0.0.0/8" is one clause, and one more."""
    # A number or a list alone in brackets stays where it stands: "GKE nodes (about 60)",
    # "the cloud integrations (LBs, ECI)".
    sentence = BRACKETED.sub(
        lambda m: (
            m.group(0)[1:-1]
            if COUNT_ASIDE.match(m.group(0)) or _only_list_items(m.group(0)[1:-1].lower(), lex)
            else m.group(0)
        ),
        sentence,
    )
    asides = [m.group(1) or m.group(2) or "" for m in BRACKETED.finditer(sentence)]
    sentence = BRACKETED.sub(" ", sentence)
    pieces: list[str] = []
    for part in [*PIECE.split(sentence), *asides]:
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
        elif merged and UNSURE_WHETHER.search(merged[-1]) and WHETHER.match(piece):
            merged[-1] = f"{merged[-1]} {piece}"  # "not sure | if we have BGP": one hedge
        else:
            merged.append(piece)
    return [(p, bool(lex.premise.match(p))) for p in merged]


def _only_list_items(piece: str, lex: Lexicon) -> bool:
    """Items of a list, with "and", "or" … and perhaps the answer that ends the list ("NLB:
    none of them"): the list goes on, in the clause before."""
    if not lex.list_items.search(piece):
        return False
    rest = LIST_FILLER.sub(" ", lex.list_items.sub(" ", LIST_END.sub(" ", piece)))
    return not rest.strip(" .,;:!?-")


def split_clauses(text: str, lex: Lexicon) -> list[Clause]:
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
                    text=normalise(said, lex),
                    sentence=number,
                    question=n == asking,
                    premise=in_premise,
                    asks=asks,
                )
            )
    return clauses


# --- normalisation ---------------------------------------------------------------------------

K_SUFFIX = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?k(?![\w])", re.IGNORECASE)
THOUSANDS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+)(?![\d])")

QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
WORD = re.compile(r"[a-z][a-z'-]{4,}")  # five letters or more: fuzzy targets have six or more
OPEN_PLUS = re.compile(r"(\d)\+(?=\s+[a-z])")
A_NUMBER = re.compile(r"\ba (\d)")
DOZENS = re.compile(r"(?<![\w.])(\d+) dozens?(?![\w-])")


def normalise(text: str, lex: Lexicon) -> str:
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).lower()
    text = lex.typos.sub(lambda m: lex.vocab.typos[m.group(1).lower()], text)
    for pattern, replacement in lex.expansions:
        text = pattern.sub(replacement, text)
    text = WORD.sub(lambda m: _fuzzy(m.group(0), lex), text)
    digits = any(ch.isdigit() for ch in text)
    if digits:  # (each step below is skipped where it cannot apply: this runs per clause)
        text = THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)
        text = K_SUFFIX.sub(lambda m: str(round(float(m.group(1)) * 1000)), text)
        text = OPEN_PLUS.sub(r"\1", text)  # "20+ provinces": at least twenty
    text = alpha2digit_safe(text)
    text = text.replace("~", " ").replace("≈", " ")
    text = lex.numbers.sub(lambda m: str(lex.vocab.numbers[m.group(1).lower()]), text)
    if "dozen" in text:
        text = DOZENS.sub(lambda m: str(int(m.group(1)) * 12), text)
    if "a " in text:
        text = A_NUMBER.sub(r"\1", text)  # "a 100 nodes"
    return " ".join(text.split())  # one space between words: phrases match with " "


def alpha2digit_safe(text: str) -> str:
    """Number words as digits ("twelve hundred" → 1200); odd input keeps its words."""
    # text2num and rapidfuzz are imported where words are read: a CLI start given only
    # key=value pairs reads none (bench/cli_start.py).
    from text_to_num import alpha2digit

    with contextlib.suppress(ValueError, RuntimeError):
        return alpha2digit(text, "en")
    return text


def _fuzzy(word: str, lex: Lexicon) -> str:
    if word in lex.fuzzy_known:
        return word
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    best = process.extractOne(word, lex.vocab.fuzzy, scorer=OSA.distance, score_cutoff=1)
    return best[0] if best else word


def blank(text: str, span: tuple[int, int]) -> str:
    """`text` with `span` blanked out: what was read is not read again, and positions hold."""
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
