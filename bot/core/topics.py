"""Which checklist items a question names: "how do I verify the MTU?" → vxlan-mtu.

    topics = load_topics(kb)
    topics.named("how do I verify the MTU?") == ["vxlan-mtu"]

The words are data, knowledge/topics.yaml, loaded and checked with the other knowledge files
(bot/core/knowledge.py): a phrase that is no regular expression, or an entry that names no
checklist item, fails at load naming the file, the entry and the field.
"""

from __future__ import annotations

import re

from bot.core.knowledge import Knowledge


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


_COMPILED: dict[str, Topics] = {}  # by knowledge version: the same words, the same patterns


def load_topics(kb: Knowledge) -> Topics:
    topics = _COMPILED.get(kb.version)
    if topics is None:
        topics = _COMPILED[kb.version] = Topics(kb.topics, [i.id for i in kb.checklist])
    return topics
