"""What the listeners share: the knowledge, the decision log, the bot's identity.

The app factory puts one `Advisor` into every request's context (`context["advisor"]`). It is
shared by every request and thread, never copied (should anything deep-copy a context).
"""

from __future__ import annotations

import uuid
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.core.knowledge import Knowledge
from bot.core.topics import Topics, load_topics
from bot.decisions import DecisionLog


@dataclass(eq=False)
class Advisor:
    kb: Knowledge
    log: DecisionLog
    bot_user_id: str | None = None
    executor: Executor | None = None  # runs work after the ack (the app's listener executor)
    public_url: str | None = None  # NETPLUGIN_PUBLIC_URL: where nodes send preflight reports
    # This run of the bot, as the owner of the cards it is posting (a restart is another run).
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __deepcopy__(self, memo: dict[int, Any]) -> Advisor:
        return self

    def __copy__(self) -> Advisor:
        return self

    @cached_property
    def plugin_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.kb.plugins}

    @cached_property
    def topics(self) -> Topics:
        """The words that name each checklist item (knowledge/topics.yaml)."""
        return load_topics(self.kb)


def advisor_of(context: Any) -> Advisor:
    return context["advisor"]
