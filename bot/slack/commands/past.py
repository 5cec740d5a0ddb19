"""`/netplugin history [n]` and `/netplugin explain <id>`: decisions made before.

A decision made in a private channel or a DM is shown only there; anywhere else it is simply
"not found", with no detail that would confirm it exists.
"""

from __future__ import annotations

from bot.core.explain import drift
from bot.slack import render
from bot.slack.commands.request import SlashRequest

DEFAULT_HISTORY = 10
MAX_HISTORY = 25


def show_history(request: SlashRequest, rest: str) -> None:
    words = rest.split()
    count = DEFAULT_HISTORY
    if words and words[0].isdigit():
        count = max(1, min(int(words[0]), MAX_HISTORY))
    advisor = request.advisor
    found = advisor.log.history(request.channel or "", limit=count) if request.channel else []
    request.ephemeral(
        render.message(
            "slack/history.json.j2",
            decisions=found,
            plugin_names=advisor.plugin_names,
        )
    )


def explain_decision(request: SlashRequest, rest: str) -> None:
    advisor = request.advisor
    given = rest.strip().lstrip("#")
    decision = advisor.log.get(int(given)) if given.isdigit() and len(given) < 12 else None
    if decision is None or not decision.visible_from(request.channel):
        request.ephemeral(render.message("slack/not-found.json.j2", given=rest.strip()))
        return
    result = decision.result
    message = render.explanation(result, plugin_names=advisor.plugin_names)
    changed = drift(result, advisor.kb)
    if changed is not None and changed.differs:
        note = render.message(
            "slack/drift-note.json.j2",
            drift=changed,
            plugin_names=advisor.plugin_names,
        )
        message["blocks"] = render.fit_blocks([*note["blocks"], *message["blocks"]])
    request.ephemeral(message)
