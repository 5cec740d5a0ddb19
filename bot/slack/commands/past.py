"""`/netplugin history [n]` and `/netplugin explain <id>`: decisions made before.

A decision made in a private channel or a DM is shown only there; anywhere else it is simply
"not found", with no detail that would confirm it exists.
"""

from __future__ import annotations

import re

from bot.core.explain import drift
from bot.render.messages import say
from bot.slack import ids, render
from bot.slack.cards import notice
from bot.slack.commands.request import SlashRequest
from bot.slack.verified import verified_lines

DEFAULT_HISTORY = 10
MAX_HISTORY = 25
# ASCII digits only (str.isdigit() also takes ², which int() refuses), and few of them.
_COUNT = re.compile(r"[0-9]{1,9}")


def show_history(request: SlashRequest, rest: str) -> None:
    """`history` lists the latest DEFAULT_HISTORY, `history n` the latest n. More than
    MAX_HISTORY lists that many, with a note when it held some back; anything but a count from
    1 up (`abc`, `0`, `-3`, `5 more`, ten digits) is answered with what the command takes, not
    a list."""
    advisor = request.advisor
    asked = DEFAULT_HISTORY
    if rest:
        if not _COUNT.fullmatch(rest) or int(rest) == 0:
            text = say(
                "history-invalid",
                given=render.clip(rest, 40),
                command=ids.COMMAND,
                default=DEFAULT_HISTORY,
                max=MAX_HISTORY,
            )
            request.ephemeral(notice(advisor, text))
            return
        asked = int(rest)
    count = min(asked, MAX_HISTORY)
    found = advisor.log.history(request.channel or "", limit=count) if request.channel else []
    message = render.message(
        "slack/history.json.j2",
        decisions=found,
        plugin_names=advisor.plugin_names,
    )
    if asked > MAX_HISTORY and len(found) == MAX_HISTORY:
        message = notice(advisor, say("history-capped", max=MAX_HISTORY), then=message)
    request.ephemeral(message)


def explain_decision(request: SlashRequest, rest: str) -> None:
    advisor = request.advisor
    given = rest.strip().lstrip("#")
    decision = advisor.log.get(int(given)) if re.fullmatch(r"[0-9]{1,11}", given) else None
    if decision is None or not decision.visible_from(request.channel):
        request.ephemeral(render.message("slack/not-found.json.j2", given=rest.strip()))
        return
    result = decision.result
    message = render.explanation(
        result, plugin_names=advisor.plugin_names, verified=verified_lines(advisor, decision)
    )
    changed = drift(result, advisor.kb)
    if changed is not None and changed.differs:
        note = render.message(
            "slack/drift-note.json.j2",
            drift=changed,
            plugin_names=advisor.plugin_names,
        )
        message["blocks"] = render.fit_blocks([*note["blocks"], *message["blocks"]])
    request.ephemeral(message)
