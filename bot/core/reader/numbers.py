"""Numbers in a clause: node counts (2k, 48 + 16, 700 shops × one box each), sites, and the
role of each CIDR."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.reader.clauses import Clause, blank
from bot.core.reader.lexicon import NUM, Lexicon

CIDR = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})(?![\w.])")
MASK = re.compile(r"(?<![\w.])/(\d{1,2})(?![\w.])")
YEAR = re.compile(r"^(19|20|21)\d\d$")
GROWTH = re.compile(
    r"\b(by (19|20)\d\d|next year|later|eventually|in the future|grow(s|ing)? to|"
    r"scal(e|ing) to|target|in \d+ years?|up to)\b"
)
SUM = re.compile(r"\+|\bplus\b|\band another\b")
PLUS_BEFORE = re.compile(NUM + r"(?:\s+(?!\d)[\w-]+){0,2}\s*(?:\+|plus)\s*$")  # "400 ENS + 100 …"
# "600 workers in our IDC + 200 on ENS", "250 nodes in our DC and 50 on ENS": a bare number
# added a few words after a count ("and" only where a place follows it).
PLUS_AFTER = re.compile(
    r"(?:\s+(?!\d)[\w'-]+){0,4}?\s*(?:(?:\+|plus)\s*(?:another\s+)?"
    + NUM
    + r"|(?:and|&)\s+(?:another\s+)?"
    + NUM
    + r"(?=\s+(?:more\s+)?(?:on|in|at)\s))"
)
# A number before a noun, the noun a per-site count named ("1,800 cinemas").
SITES_NAMED = re.compile(NUM + r"\s+(?:[\w'-]+\s+){0,2}?([a-z][\w-]*?(?:e?s)?)(?![\w-])")
# "phase 2 adds another 200 ENS nodes": a count that adds to the one before it.
ANOTHER = re.compile(r"(?<![\w-])(?:another|additional|adds?|plus|more)\s*$")
# Forms that name what they count first: "pods/node: 110", "SubnetLen 26", "mask per node: /24".
PODS_PER_NODE = re.compile(
    r"(?<![\w-])(?:pods? ?/ ?node|pods per node|max pods)\s*(?:of|is|=|:)?\s*(?:max|up to)?\s*"
    + NUM
    + r"|"
    + NUM
    + r"\s+pods?\s+(?:max|at most|tops|maximum)(?![\w-])"
    + r"|"
    + NUM
    + r"\s+pods?\s+(?:each|apiece)(?![\w-])"
)
MASK_NAMED = re.compile(
    r"(?<![\w-])(?:subnet ?len|node mask|per node mask|mask per node|node subnet)\s*"
    r"(?:of|is|=|:)?\s*/?(\d{1,2})(?![\w.])"
)
LEADING_SUM = re.compile(r"^\s*(?:\+|plus\b)")


def number(raw: str) -> int | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


@dataclass
class Numbers:
    # (value, clause, added to the count before it: "48 nodes on ECS + 16 on-prem servers")
    counts: list[tuple[int, int, bool]] = field(default_factory=list)
    bare: list[tuple[int, int]] = field(default_factory=list)  # (value, clause)
    sites: list[int] = field(default_factory=list)
    per_site: list[int] = field(default_factory=list)
    vague: str = ""  # a sum with a term nobody counted: the user's words
    site_words: set[str] = field(default_factory=set)  # what "per …" counted in
    unnamed_sites: list[int] = field(default_factory=list)  # clauses of "… on each"
    added: list[int] = field(default_factory=list)  # "another 500": bare numbers that add


def read_numbers(i: int, clause: Clause, text: str, lex: Lexicon, numbers: Numbers) -> str:
    """Counts of nodes and sites in one clause (CIDRs and masks already blanked out)."""
    if not any(ch.isdigit() for ch in text) and "each" not in text and "per " not in text:
        return text  # nothing here can count (most clauses)
    last_end: int | None = None
    for m in lex.multiply.finditer(text):
        a, b = number(m.group(1)), number(m.group(3))
        if a and b:
            numbers.counts.append((a * b, i, False))
            last_end = m.end()
            things = m.group("things").split()
            if things and lex.site_word.fullmatch(things[-1]):  # "16 prefectures × 12 nodes"
                numbers.sites.append(a)
        text = blank(text, m.span())
    for m in lex.spread.finditer(text):  # "~700 across 30 provinces"
        count = number(m.group(1))
        if count:
            numbers.counts.append((count, i, False))
        text = blank(text, m.span(1))
    if lex.vague_sum.search(text) and lex.count.search(text):
        numbers.vague = clause.said
    for pattern in (lex.each_with, lex.per_site, lex.each_gets):
        for m in pattern.finditer(text):
            raw = m.group("per")
            per = 1 if raw in ("one", "a", "an", "single") else number(raw)
            if per:
                numbers.per_site.append(per)
            sites = number(m.groupdict().get("sites") or "")
            if sites:  # "in each of our 40 branches", "24 oil rigs with 2 boxes each"
                numbers.sites.append(sites)
            if m.groupdict().get("site"):  # "one box per cinema": cinemas are the sites
                numbers.site_words.add(m.group("site").rstrip("s"))
            elif not sites:  # "26 platforms, one edge box on each": the count before it
                numbers.unnamed_sites.append(i)
            text = blank(text, m.span())
    for m in lex.sites.finditer(text):
        sites = number(m.group(1))
        if sites:
            numbers.sites.append(sites)
        text = blank(text, m.span())
    matches = sorted(
        (m for pattern in (lex.count, lex.reverse_count) for m in pattern.finditer(text)),
        key=lambda m: m.start(),
    )
    for m in matches:
        before = text[: m.start()]
        if before.rsplit(None, 1)[-1:] in (["layer"], ["l"], ["version"], ["v"], ["port"], ["mtu"]):
            continue
        count = number(m.group(1) or m.groups()[-1])  # the number before or after its noun
        if not count:
            continue
        # "48 + 16 nodes": the number before the plus counts the same nodes.
        plus = PLUS_BEFORE.search(before)
        if plus and number(plus.group(1)):
            count += number(plus.group(1)) or 0
            before = blank(before, plus.span())
        # "600 workers in our IDC + 200 on ENS": a bare number added on counts the same nodes.
        added = PLUS_AFTER.match(text, m.end())
        group = 0 if added is None else 1 if added.group(1) else 2
        if added and lex.count.match(text, added.start(group)):
            added = None  # "+ 5 Raspberry Pis" is a count of its own
        if added:
            count += number(added.group(group)) or 0
        # Joined to the count before it by "+" or "plus", in this clause or opening it, or by
        # "another 200 nodes" in any clause.
        joined = bool(ANOTHER.search(before)) or (
            bool(SUM.search(text[last_end or 0 : m.start()]))
            and (last_end is not None or bool(LEADING_SUM.match(text)))
        )
        numbers.counts.append((count, i, joined))
        last_end = added.end() if added else m.end()
        text = blank(before + text[m.start() :], (m.start(), last_end))
    for m in re.finditer(NUM, text):
        value = number(m.group(1))
        if value and not YEAR.match(m.group(1)):
            numbers.bare.append((value, i))
            if ANOTHER.search(text[: m.start()]):  # "1,000 now, another 500 next quarter"
                numbers.added.append(value)
    return text


def node_count(
    clauses: list[Clause], numbers: Numbers, places: list[set[str]], lex: Lexicon
) -> int | None:
    """The node count: counts joined by "+" add up, and so do counts of places listed in one
    sentence ("300 on AWS, 200 Azure VMs and 100 in our co-lo") or of different places
    ("Edge: 300 ENS instances. Cloud: 20 ECS."); otherwise the largest (ranges, growth), and
    sites times what each has ("18 hospitals, 2 servers in each") when that is larger."""
    for i in numbers.unnamed_sites:  # the last plain count of things before "… on each"
        before = [c for c in clauses[: i + 1] if c.sentence == clauses[i].sentence]
        found = [m for c in before for m in SITES_NAMED.finditer(c.text)]
        things = [m for m in found if not lex.count.match(m.group(0))]
        if things:
            numbers.sites.append(number(things[-1].group(1)) or 0)
    for clause in clauses if numbers.site_words else ():  # "1,800 cinemas …, one box per cinema"
        for m in SITES_NAMED.finditer(clause.text):
            if m.group(2).rstrip("s") in numbers.site_words:
                numbers.sites.append(number(m.group(1)) or 0)
    per_site = 0
    if numbers.sites and numbers.per_site:
        per_site = max(numbers.sites) * max(numbers.per_site)
    if not numbers.counts:
        return per_site or None
    total: list[int] = []
    previous: int | None = None
    for value, clause, joined in numbers.counts:
        elsewhere = (
            previous is not None
            and previous != clause
            and bool(places[previous] and places[clause])
            and (
                clauses[previous].sentence == clauses[clause].sentence
                or not places[previous] & places[clause]
            )
            and not GROWTH.search(clauses[clause].text)
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
    return max(best + sum(numbers.added), per_site)


def cidr_role(text: str, start: int, end: int, lex: Lexicon) -> str | None:
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
