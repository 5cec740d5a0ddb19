"""The knowledge base: knowledge/*.yaml loaded into pydantic models and cross-checked.

A broken file fails loudly with `KnowledgeError`, naming the file, the entry id and the field, so a
team editing a rule sees exactly what to fix (`netplugin knowledge check`).
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from bot import paths
from bot.core.conditions import Condition

# `{key}` in a rule's words stands for the plan's answer to that question.
PLACEHOLDER = re.compile(r"\{([a-z0-9-]+)\}")
PluginId = Literal["flannel", "terway-edge"]
PLUGIN_IDS: tuple[str, ...] = ("terway-edge", "flannel")
# Keys a condition may read besides the questions: the plugin the engine recommends.
DERIVED_KEYS = {"recommended"}


def source_order(key: str) -> tuple[int, str]:
    """How source tags sort everywhere: by number (S2 before S10), `policy` last."""
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 10_000, key)


def _numeric_order(ids: list[str]) -> list[str]:
    return sorted(ids, key=source_order)


# Source tags as an entry cites them, put in numeric order once, here, for every surface.
SourceIds = Annotated[list[str], AfterValidator(_numeric_order)]


def load_yaml(raw: bytes | str) -> Any:
    """YAML's safe subset, read by libyaml when PyYAML has it (its wheels do): the same
    documents, about ten times faster. Imported here: a start whose knowledge is cached reads
    no YAML (bot/core/knowledge_cache.py)."""
    import yaml

    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class KnowledgeError(Exception):
    """A knowledge file is missing, unreadable or invalid. The message names file, entry, field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- sources.yaml ---------------------------------------------------------------------------


class Source(_Strict):
    title: str
    url: str | None = None
    unsourced: bool = False


class SourcesFile(_Strict):
    sources: dict[str, Source]


# --- plugins.yaml ---------------------------------------------------------------------------


class Plugin(_Strict):
    id: PluginId
    name: str
    model: Literal["underlay", "overlay"]
    summary: str
    sources: SourceIds


class ComparisonRow(_Strict):
    id: str
    label: str
    values: dict[PluginId, str]
    sources: SourceIds

    @model_validator(mode="after")
    def _both_plugins(self) -> ComparisonRow:
        missing = set(PLUGIN_IDS) - set(self.values)
        if missing:
            raise ValueError(f"values must give both plugins; missing {sorted(missing)}")
        return self


class PluginsFile(_Strict):
    plugins: list[Plugin]
    rows: list[ComparisonRow]


# --- questions.yaml -------------------------------------------------------------------------


class Choice(_Strict):
    value: str
    label: str
    aliases: list[str] = []


class Question(_Strict):
    key: str
    aliases: list[str] = []
    type: Literal["int", "bool", "choice", "multi", "cidr", "version"]
    label: str
    help: str = ""
    decision: bool = False
    advanced: bool = False
    widget: Literal["static_select", "radio_buttons", "checkboxes", "number_input"] | None = None
    choices: list[Choice] = []
    none_value: str | None = None
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.type in ("choice", "multi") and not self.choices:
            raise ValueError(f"a {self.type} question needs choices")
        if self.type not in ("choice", "multi") and self.choices:
            raise ValueError(f"a {self.type} question takes no choices")
        return self

    @property
    def field_name(self) -> str:
        return self.key.replace("-", "_")

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]

    def accepted(self) -> str:
        """The accepted values, as shown in an error message."""
        if self.type == "int":
            return f"a whole number from {self.min} to {self.max}"
        if self.type == "bool":
            return "yes or no"
        if self.type == "cidr":
            return "an IPv4 CIDR such as 10.0.0.0/16"
        if self.type == "version":
            return "a Kubernetes version such as 1.30"
        values = ", ".join(self.choice_values())
        return f"one or more of {values} (comma-separated)" if self.type == "multi" else values


class QuestionsFile(_Strict):
    questions: list[Question]
    yes_words: list[str]
    no_words: list[str]


# --- vocabulary.yaml ------------------------------------------------------------------------


def _phrases_compile(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        try:
            re.compile(phrase)
        except re.error as exc:
            raise ValueError(
                f"phrase {phrase!r} is not a valid regular expression: {exc}"
            ) from None
    return phrases


Phrases = Annotated[list[str], AfterValidator(_phrases_compile)]


class Negation(_Strict):
    before: Phrases
    after: Phrases
    not_negation: Phrases


class ValueGroup(_Strict):
    values: list[str]
    phrases: Phrases


class ListWords(_Strict):
    """A choice or multi question: phrases per value, and groups that name several values."""

    values: dict[str, Phrases]
    groups: dict[str, ValueGroup] = {}


class YesNoWords(_Strict):
    """A yes/no question: phrases stating the thing (`yes`) and its opposite (`no`)."""

    example: str  # how people name the thing: the reader's tests say it every way
    yes: Phrases
    no: Phrases = []
    unless: Phrases = []  # a `yes` phrase in a clause with one of these is something else


class VersionWords(_Strict):
    """A version question in plain words: what names a Kubernetes version next to its number
    ("Kubernetes 1.30", "we'll run 1.32", "a 1.30 cluster"), and what makes the number
    something else ("containerd 1.7", "1.25 Gbps") or a bound, not the version ("1.28 or
    later")."""

    example: str  # how people name the thing: the reader's tests say it every way
    before: Phrases  # right before the number, a few words at most: "kubernetes", "k8s", "ack"
    verbs: Phrases = []  # before a number that looks like a version (1.30, v1.30, 1.30.2): "run"
    after: Phrases = []  # right after the number: "1.30 cluster"
    bounds: Phrases = []  # "or later", "at least": a bound, not the version
    other: Phrases = []  # right before or after the number, it is no Kubernetes version
    later: Phrases = []  # "upgrading to 1.31 next year": a version said plainly comes first


def _words_kind(data: Any) -> str:
    return "list" if isinstance(data, dict) and "values" in data else "yes-no"


QuestionWords = Annotated[
    Annotated[ListWords, Tag("list")] | Annotated[YesNoWords, Tag("yes-no")],
    Discriminator(_words_kind),
]


class VocabularyFile(_Strict):
    typos: dict[str, str]
    expansions: dict[str, str] = {}
    fuzzy: list[str]
    numbers: dict[str, int]
    negation: Negation
    hedges: Phrases
    clause_breaks: Phrases
    premises: Phrases
    openers: Phrases
    corrections: Phrases
    answers: dict[Literal["yes", "no"], Phrases]
    plugins: Phrases
    count_nouns: Phrases
    site_nouns: Phrases
    dispersed_from_sites: int = Field(ge=2)
    not_nodes: Phrases
    preferred_over: Phrases
    vague_amounts: Phrases
    pod_nouns: Phrases
    per_node: Phrases
    cidr_roles: dict[str, Phrases]
    cidr_within: Phrases
    versions: dict[str, VersionWords] = {}  # by version question key
    questions: dict[str, QuestionWords]


# --- topics.yaml ----------------------------------------------------------------------------


class TopicsFile(_Strict):
    """Words that name one checklist item in a question about it (bot/core/topics.py)."""

    topics: dict[str, Annotated[Phrases, Field(min_length=1)]]  # item id → phrases


# --- rules.yaml -----------------------------------------------------------------------------


# What the card has room for: one short line per reason, a checklist item named in a few words.
SUMMARY_MAX = 100
TITLE_MAX = 40


class Rule(_Strict):
    id: str
    kind: Literal["exclusion", "preference", "tie-break"]
    summary: str = Field(max_length=SUMMARY_MAX)  # the card's line; `text` is Explain's
    text: str
    sources: SourceIds
    rows: list[str] = []
    when: Condition | None = None
    excludes: PluginId | None = None
    favours: PluginId | None = None
    weight: int = 0
    requirement: str | None = None
    unblock: str | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Rule:
        if self.kind == "exclusion":
            if not (self.excludes and self.when and self.requirement and self.unblock):
                raise ValueError("an exclusion needs excludes, when, requirement and unblock")
        elif self.kind == "preference":
            if not (self.favours and self.when and self.weight > 0):
                raise ValueError("a preference needs favours, when and a positive weight")
        elif not self.favours:
            raise ValueError("a tie-break needs favours")
        return self


class WarningRule(_Strict):
    id: str
    text: str
    sources: SourceIds
    rows: list[str] = []
    always: bool = False
    when: Condition | None = None
    card: bool = False  # shown on the short card; the others are one click away (Explain)
    # Checklist items this warning would deny if they were met: its `when` must never let both
    # show (tests/test_engine_properties.py), so a card never contradicts itself.
    contradicts: list[str] = []

    @model_validator(mode="after")
    def _always_or_when(self) -> WarningRule:
        if self.always == (self.when is not None):
            raise ValueError("a warning has either `always: true` or a `when` condition")
        return self


class ConfidencePolicy(_Strict):
    """When a recommendation is firm rather than leaning (see rules.yaml)."""

    firm_margin: int = Field(ge=1)
    text: str
    sources: SourceIds


class RulesFile(_Strict):
    rules: list[Rule]
    confidence: ConfidencePolicy
    warnings: list[WarningRule]


# --- checklist.yaml -------------------------------------------------------------------------


Computed = Literal["cidr-overlap", "cidr-capacity", "ens-eni-capacity", "node-quota", "k8s-version"]


class ChecklistItem(_Strict):
    id: str
    title: str = Field(max_length=TITLE_MAX)
    plugins: list[PluginId]
    requires: str
    # An unmet item either rules its plugin out (`blocks`; an exclusion rule says the same) or
    # is a thing to put right before the cluster is created.
    if_unmet: Literal["blocks", "fix-before-creation"]
    sources: SourceIds
    verify: list[str]
    rows: list[str] = []
    ports: list[str] = []
    applies_when: Condition | None = None
    met_when: Condition | None = None
    unmet_when: Condition | None = None
    computed: Computed | None = None
    params: dict[str, Any] = {}  # the numbers a computed item checks against, with its sources


class ChecklistFile(_Strict):
    items: list[ChecklistItem]


# --- the whole ------------------------------------------------------------------------------

FILES: dict[str, type[BaseModel]] = {
    "sources.yaml": SourcesFile,
    "plugins.yaml": PluginsFile,
    "questions.yaml": QuestionsFile,
    "rules.yaml": RulesFile,
    "checklist.yaml": ChecklistFile,
    "vocabulary.yaml": VocabularyFile,
    "topics.yaml": TopicsFile,
}


class Knowledge(BaseModel):
    """Everything the advisor knows, validated and cross-checked."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    directory: Path
    version: str
    sources: dict[str, Source]
    plugins: list[Plugin]
    rows: list[ComparisonRow]
    questions: list[Question]
    yes_words: list[str]
    no_words: list[str]
    rules: list[Rule]
    confidence: ConfidencePolicy
    warnings: list[WarningRule]
    checklist: list[ChecklistItem]
    vocabulary: VocabularyFile
    topics: dict[str, list[str]]

    def plugin(self, plugin_id: str) -> Plugin:
        return next(p for p in self.plugins if p.id == plugin_id)

    def question(self, key: str) -> Question:
        return self.questions_by_key[key]

    @cached_property
    def questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @cached_property
    def key_aliases(self) -> dict[str, str]:
        """Every accepted spelling of a key (lower case) → its question key."""
        found: dict[str, str] = {}
        for q in self.questions:
            for name in (q.key, q.field_name, *q.aliases):
                found[name.lower()] = q.key
        return found

    @cached_property
    def decision_keys(self) -> list[str]:
        return [q.key for q in self.questions if q.decision]

    @cached_property
    def exclusions(self) -> list[Rule]:
        return [r for r in self.rules if r.kind == "exclusion"]

    @cached_property
    def preferences(self) -> list[Rule]:
        return [r for r in self.rules if r.kind == "preference"]

    @cached_property
    def tie_break(self) -> Rule:
        return next(r for r in self.rules if r.kind == "tie-break")


def _entry_name(data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Split a pydantic error location into the entry (`rules[3] 'some-id'`) and the field."""
    node = data
    entry_parts: list[str] = []
    for depth, part in enumerate(loc):
        entry_parts.append(f"[{part}]" if isinstance(part, int) else str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(node, dict):
            ident = node.get("id") or node.get("key") or node.get("value")
            entry = "".join(entry_parts)
            if ident:
                entry += f" (id '{ident}')"
            field = ".".join(str(p) for p in loc[depth + 1 :]) or "(the entry itself)"
            return entry, field
    return ".".join(str(p) for p in loc[:1]) or "(top level)", ".".join(
        str(p) for p in loc[1:]
    ) or "(the value itself)"


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The error's location without pydantic's union tags (`yes-no`): only the parts that
    lead into the file's data, so the message names what the editor sees."""
    path: list[Any] = []
    node = data
    for n, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            if isinstance(part, str) and n < len(loc) - 1:
                continue  # a union member's tag, not a place in the file
            node = None
        path.append(part)
    return tuple(path)


def _read(directory: Path, name: str) -> bytes:
    path = directory / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read the file ({exc.strerror})") from None


def _validated(directory: Path, name: str, raw: bytes) -> BaseModel:
    path = directory / name
    from yaml import YAMLError

    try:
        data = load_yaml(raw)
    except YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from None
    try:
        return FILES[name].model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            entry, field = _entry_name(data, _data_path(data, tuple(err["loc"])))
            lines.append(f"{path}: entry {entry}: field '{field}': {err['msg']}")
        raise KnowledgeError("\n".join(lines)) from None


def _cross_check(kb: Knowledge) -> None:
    """References between files: sources, rows, plan keys, unique ids."""
    problems: list[str] = []
    keys = set(kb.questions_by_key) | DERIVED_KEYS
    row_ids = {r.id for r in kb.rows}

    def check(file: str, entry: str, sources: list[str], rows: list[str], conds: dict) -> None:
        for s in sources:
            if s not in kb.sources:
                problems.append(f"{file}: entry '{entry}': field 'sources': unknown source '{s}'")
        for r in rows:
            if r not in row_ids:
                problems.append(f"{file}: entry '{entry}': field 'rows': unknown row '{r}'")
        for field, cond in conds.items():
            if cond is None:
                continue
            for k in sorted(cond.keys() - keys):
                problems.append(f"{file}: entry '{entry}': field '{field}': unknown key '{k}'")

    def unique(file: str, ids: list[str]) -> None:
        for i in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{file}: entry '{i}': field 'id': used more than once")

    for p in kb.plugins:
        check("plugins.yaml", p.id, p.sources, [], {})
    for row in kb.rows:
        check("plugins.yaml", row.id, row.sources, [], {})
    for rule in kb.rules:
        check("rules.yaml", rule.id, rule.sources, rule.rows, {"when": rule.when})
        for field in ("summary", "text", "requirement"):
            for name in PLACEHOLDER.findall(getattr(rule, field) or ""):
                if name not in kb.questions_by_key:
                    problems.append(
                        f"rules.yaml: entry '{rule.id}': field '{field}': "
                        f"placeholder {{{name}}} is not a question key"
                    )
    for w in kb.warnings:
        check("rules.yaml", w.id, w.sources, w.rows, {"when": w.when})
        for item_id in w.contradicts:
            if item_id not in {i.id for i in kb.checklist}:
                problems.append(
                    f"rules.yaml: entry '{w.id}': field 'contradicts': unknown item '{item_id}'"
                )
    check("rules.yaml", "confidence", kb.confidence.sources, [], {})
    for item in kb.checklist:
        conds = {"applies_when": item.applies_when, "met_when": item.met_when}
        conds["unmet_when"] = item.unmet_when
        check("checklist.yaml", item.id, item.sources, item.rows, conds)
    unique("rules.yaml", [r.id for r in kb.rules] + [w.id for w in kb.warnings])
    unique("checklist.yaml", [i.id for i in kb.checklist])
    for item_id in kb.topics:
        if item_id not in {i.id for i in kb.checklist}:
            problems.append(
                f"topics.yaml: entry '{item_id}': field 'topics': not an item of checklist.yaml"
            )
    unique("questions.yaml", [q.key for q in kb.questions])
    unique("plugins.yaml", [r.id for r in kb.rows])
    if sorted(p.id for p in kb.plugins) != sorted(PLUGIN_IDS):
        problems.append(f"plugins.yaml: entry 'plugins': field 'id': need exactly {PLUGIN_IDS}")
    if sum(r.kind == "tie-break" for r in kb.rules) != 1:
        problems.append("rules.yaml: entry 'rules': field 'kind': need exactly one tie-break")
    seen_aliases: dict[str, str] = {}
    for q in kb.questions:
        for name in (q.key, *q.aliases):
            other = seen_aliases.setdefault(name.lower(), q.key)
            if other != q.key:
                problems.append(
                    f"questions.yaml: entry '{q.key}': field 'aliases': '{name}' is also "
                    f"a name of '{other}'"
                )
    problems.extend(_check_vocabulary(kb))
    if problems:
        raise KnowledgeError("\n".join(problems))


def _vocabulary_phrases(vocab: VocabularyFile) -> list[tuple[str, list[str]]]:
    """Every phrase list, by where it stands: the reader matches them on lower-cased text."""
    found: list[tuple[str, list[str]]] = [
        ("negation", vocab.negation.before + vocab.negation.after + vocab.negation.not_negation),
        ("hedges", vocab.hedges),
        ("corrections", vocab.corrections),
        ("plugins", vocab.plugins),
        ("per_node", vocab.per_node),
        ("cidr_within", vocab.cidr_within),
        *((f"cidr_roles.{k}", v) for k, v in vocab.cidr_roles.items()),
        *(
            (f"versions.{k}", w.before + w.verbs + w.after + w.bounds + w.other + w.later)
            for k, w in vocab.versions.items()
        ),
    ]
    for key, words in vocab.questions.items():
        if isinstance(words, YesNoWords):
            found.append((key, words.yes + words.no + words.unless))
        else:
            found.extend((f"{key}.{value}", p) for value, p in words.values.items())
            found.extend((f"{key}.{name}", g.phrases) for name, g in words.groups.items())
    return found


def _check_vocabulary(kb: Knowledge) -> list[str]:
    """The vocabulary names real questions, values and CIDR keys, each with the right shape."""
    problems: list[str] = []
    vocab = kb.vocabulary

    def problem(entry: str, field: str, what: str) -> None:
        problems.append(f"vocabulary.yaml: entry '{entry}': field '{field}': {what}")

    for key, words in vocab.questions.items():
        q = kb.questions_by_key.get(key)
        if q is None:
            problem(key, "questions", "not a question key")
            continue
        if q.type == "bool" and not isinstance(words, YesNoWords):
            problem(key, "questions", "a yes/no question takes `yes` and `no` phrases")
        elif q.type in ("choice", "multi"):
            if not isinstance(words, ListWords):
                problem(key, "questions", "a list question takes `values` and `groups`")
                continue
            named = set(q.choice_values())
            for value in words.values:
                if value not in named:
                    problem(key, f"values.{value}", f"not a value of '{key}'")
            for name, group in words.groups.items():
                for value in group.values:
                    if value not in named:
                        problem(key, f"groups.{name}", f"'{value}' is not a value of '{key}'")
    for field_name, phrases in _vocabulary_phrases(vocab):
        for phrase in phrases:
            if re.search(r"(?<!\\)[A-Z]", phrase):
                problem(field_name, "phrases", f"{phrase!r}: write phrases in lower case")
    for key in vocab.cidr_roles:
        if kb.questions_by_key.get(key) is None or kb.question(key).type != "cidr":
            problem(key, "cidr_roles", "not a CIDR question")
    for key in vocab.versions:
        if kb.questions_by_key.get(key) is None or kb.question(key).type != "version":
            problem(key, "versions", "not a version question")
    return problems


def content_version(raws: dict[str, bytes]) -> str:
    """The knowledge's version: a hash of every file's bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + raws[name] + b"\0")
    return digest.hexdigest()[:12]


def load_knowledge(directory: Path | None = None, *, cache: Any = None) -> Knowledge:
    """The knowledge in `directory` (default: knowledge/), validated and cross-checked; with a
    `cache` (bot/core/knowledge_cache.py), taken from it when it holds this content version."""
    directory = Path(directory or paths.knowledge_dir())
    raws = {name: _read(directory, name) for name in FILES}
    version = content_version(raws)
    if cache is not None:
        cached = cache.get(directory, version)
        if isinstance(cached, Knowledge) and cached.version == version:
            return cached
    parts: dict[str, Any] = {name: _validated(directory, name, raw) for name, raw in raws.items()}
    questions: QuestionsFile = parts["questions.yaml"]
    kb = Knowledge(
        directory=directory,
        version=version,
        sources=parts["sources.yaml"].sources,
        plugins=parts["plugins.yaml"].plugins,
        rows=parts["plugins.yaml"].rows,
        questions=questions.questions,
        yes_words=questions.yes_words,
        no_words=questions.no_words,
        rules=parts["rules.yaml"].rules,
        confidence=parts["rules.yaml"].confidence,
        warnings=parts["rules.yaml"].warnings,
        checklist=parts["checklist.yaml"].items,
        vocabulary=parts["vocabulary.yaml"],
        topics=parts["topics.yaml"].topics,
    )
    _cross_check(kb)
    if cache is not None:
        cache.put(kb)
    return kb


_DEFAULT: Knowledge | None = None


def default_knowledge() -> Knowledge:
    """The knowledge from the default directory, loaded once per process (and, validated, kept
    between processes in the knowledge cache: a CLI start reads it instead of validating)."""
    global _DEFAULT
    if _DEFAULT is None:
        from bot.core.knowledge_cache import KnowledgeCache

        _DEFAULT = load_knowledge(cache=KnowledgeCache.default())
    return _DEFAULT
