"""Which checklist items a question names: "how do I verify the MTU?" → vxlan-mtu.

    topics = load_topics(kb)          # knowledge/topics.yaml, checked against the checklist
    topics.named("how do I verify the MTU?") == ["vxlan-mtu"]

The words are data (knowledge/topics.yaml), validated here the way bot/core/knowledge.py
validates the other files: a broken file is a KnowledgeError naming the file, the entry and the
field. A knowledge directory without the file (a team's copy made before it existed) has no
topics: questions about one item are then answered with the whole checklist, as before.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from bot.core.knowledge import Knowledge, KnowledgeError

FILE = "topics.yaml"


def _compiles(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        try:
            re.compile(phrase)
        except re.error as exc:
            raise ValueError(f"phrase {phrase!r} is not a regular expression: {exc}") from None
    if not phrases:
        raise ValueError("give at least one phrase")
    return phrases


class TopicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # checklist item id → phrases that name it
    topics: dict[str, Annotated[list[str], AfterValidator(_compiles)]]


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """The phrases as one pattern on whole words, a space matching spaces or a hyphen."""
    spelled = [phrase.replace(" ", r"[\s-]+") for phrase in phrases]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(spelled)})(?![\w-])", re.I)


class Topics:
    """The checklist items, each with the pattern of the words that name it."""

    def __init__(self, topics: dict[str, list[str]], order: list[str]):
        self._patterns = {i: _pattern(topics[i]) for i in order if i in topics}

    def named(self, text: str) -> list[str]:
        """The ids of the items `text` names, in checklist order."""
        return [item for item, pattern in self._patterns.items() if pattern.search(text or "")]


def _read(path: Path) -> TopicsFile | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from None
    try:
        return TopicsFile.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [str(part) for part in err["loc"]]
            entry = f"'{loc[1]}'" if len(loc) > 1 else "(the file)"
            field = loc[2] if len(loc) > 2 else loc[0] if loc else "(the value itself)"
            lines.append(f"{path}: entry {entry}: field '{field}': {err['msg']}")
        raise KnowledgeError("\n".join(lines)) from None


def load_topics(kb: Knowledge) -> Topics:
    """The topics of `kb`'s directory; every entry must name an item of its checklist."""
    return _load(Path(kb.directory), kb.version, tuple(item.id for item in kb.checklist))


@cache
def _load(directory: Path, version: str, items: tuple[str, ...]) -> Topics:
    path = directory / FILE
    parsed = _read(path)
    if parsed is None:
        return Topics({}, list(items))
    unknown = [item for item in parsed.topics if item not in items]
    if unknown:
        raise KnowledgeError(
            "\n".join(
                f"{path}: entry '{item}': field 'topics': not an item of checklist.yaml"
                for item in unknown
            )
        )
    return Topics(parsed.topics, list(items))
