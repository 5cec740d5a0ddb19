"""Which plugin a few words name: `checklist terway` in Slack and in the terminal alike.

    named_plugin("Terway Edge", kb) == "terway-edge"; named_plugin("calico", kb) is None

A plugin is named by its id or its name (any case; spaces, hyphens and underscores alike), or
by a short name people use for it (SHORT_NAMES).
"""

from __future__ import annotations

import re

from bot.core.knowledge import Knowledge

SHORT_NAMES = {"terway": "terway-edge"}  # "Terway" alone: ACK Edge has only Terway Edge
_SEPARATORS = re.compile(r"[\s_-]+")


def _folded(words: str) -> str:
    return _SEPARATORS.sub("-", words.strip().lower())


def named_plugin(words: str, kb: Knowledge) -> str | None:
    """The id of the plugin `words` name, or None when they name none."""
    names = dict(SHORT_NAMES)
    for plugin in kb.plugins:
        names[_folded(plugin.id)] = plugin.id
        names[_folded(plugin.name)] = plugin.id
    return names.get(_folded(words))
