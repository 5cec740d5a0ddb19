"""/netplugin's subcommands: {first word: handler(request, rest of the text)}.

A first word that is not here makes the whole text a question. Add a subcommand by adding an
entry (e.g. `SUBCOMMANDS["history"] = show_history`) from its own module.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.knowledge import PLUGIN_IDS, Knowledge
from bot.core.plugin_words import named_plugin
from bot.render.messages import say
from bot.slack import ids, render
from bot.slack.cards import notice
from bot.slack.commands.adopt import adopt_decision
from bot.slack.commands.past import explain_decision, show_history
from bot.slack.commands.request import SlashRequest
from bot.slack.modal import build_modal

Subcommand = Callable[[SlashRequest, str], None]


def _cite_any_source(kb: Knowledge):
    """`cite(ids)` over every source (compare and checklist are not about one decision)."""
    return render.citer({key: source.model_dump() for key, source in kb.sources.items()})


def open_questionnaire(request: SlashRequest, rest: str) -> None:
    """No text, or `ask`: the modal, opened with this request's trigger_id."""
    metadata = {"channel": request.channel, "visibility": request.visibility}
    if request.response_url:
        metadata["response_url"] = request.response_url
    view = build_modal(request.advisor.kb, metadata=metadata)
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def show_help(request: SlashRequest, rest: str) -> None:
    kb = request.advisor.kb
    request.ephemeral(
        render.message(
            "slack/help.json.j2",
            command=ids.COMMAND,
            questions=kb.questions,
            plugins=list(PLUGIN_IDS),
        )
    )


def show_compare(request: SlashRequest, rest: str) -> None:
    kb = request.advisor.kb
    request.ephemeral(
        render.message(
            "slack/compare.json.j2",
            plugins=[kb.plugin(p) for p in PLUGIN_IDS],
            rows=kb.rows,
            cite=_cite_any_source(kb),
        )
    )


def show_checklist(request: SlashRequest, rest: str) -> None:
    """`checklist <plugin>`: every item for the plugin, with how to verify it."""
    kb = request.advisor.kb
    plugin = named_plugin(rest, kb)
    if plugin is None:
        request.ephemeral(
            notice(request.advisor, say("unknown-plugin", given=rest, plugins=list(PLUGIN_IDS)))
        )
        return
    items = [
        {
            "id": i.id,
            "title": i.title,
            "status": None,
            "detail": "",
            "text": i.requires,
            "verify": i.verify,
            "ports": i.ports,
            "sources": i.sources,
        }
        for i in kb.checklist
        if plugin in i.plugins
    ]
    sources = {key: source.model_dump() for key, source in kb.sources.items()}
    request.ephemeral(render.checklist(kb.plugin(plugin).name, items, sources))


SUBCOMMANDS: dict[str, Subcommand] = {
    "": open_questionnaire,
    "ask": open_questionnaire,
    "help": show_help,
    "compare": show_compare,
    "checklist": show_checklist,
    "history": show_history,
    "explain": explain_decision,
    "adopt": adopt_decision,
}
