"""`netplugin recommend | compare | checklist | keys | knowledge check`: the advisor in a terminal.

Each command is thin: read the input, call the core, render a template. The renderers (Jinja,
rich) are imported by the commands that print with them: `recommend --json` starts without
them (bench/cli_start.py).
"""

from __future__ import annotations

import json
import sys

import click

from bot.core.engine import recommend as run_engine
from bot.core.grammar import read_question
from bot.core.knowledge import PLUGIN_IDS, KnowledgeError, default_knowledge, load_knowledge
from bot.core.phrasebook import phrasebook
from bot.core.plugin_words import named_plugin

INVALID_INPUT = 2


def print_markdown(text: str) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    Console(soft_wrap=False).print(Markdown(text))


def render_text(template: str, **context: object) -> str:
    from bot.render.environment import render_text as render

    return render(template, **context)


def say(code: str, **params: object) -> str:
    from bot.render.messages import say as words

    return words(code, **params)


def _knowledge():
    try:
        return default_knowledge()
    except KnowledgeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(INVALID_INPUT)


def card_markdown(result_json: dict, kb, *, full: bool = False) -> str:
    """The card in a terminal: one screen, or with `full` every reason, checklist item with its
    commands, warning and source (what Explain and Checklist show in Slack)."""
    names = {p.id: p.name for p in kb.plugins}
    return render_text("cli/card.md.j2", r=result_json, plugin_names=names, say=say, full=full)


@click.command()
@click.argument("text", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--log",
    "log_to",
    default=None,
    is_flag=False,
    flag_value="",
    help="Also record the decision in the log (default $NETPLUGIN_DB or ./netplugin.db).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Every reason, checklist item with how to verify it, warning and source.",
)
def recommend(text: tuple[str, ...], as_json: bool, log_to: str | None, full: bool) -> None:
    """Recommend a plugin for TEXT: key=value pairs and/or plain words (see `netplugin keys`)."""
    kb = _knowledge()
    parsed = read_question(" ".join(text), kb)
    if parsed.problems:
        for problem in parsed.problems:
            from bot.render.messages import problem_text

            click.echo(problem_text(problem), err=True)
        sys.exit(INVALID_INPUT)
    if log_to is None:
        result = run_engine(parsed.plan, kb, parsed.understood, parsed.unsure).to_json()
    else:
        from bot.decisions import Asked, DecisionLog, decide, default_db_path

        log = DecisionLog(log_to or default_db_path())
        asked = Asked(source="cli", raw_text=parsed.text, visibility="local")
        decision, _ = decide(
            log, kb, parsed.plan, asked, understood=parsed.understood, unsure=parsed.unsure
        )
        log.close()
        result = {**decision.result, "decision_id": decision.id}
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_markdown(card_markdown(result, kb, full=full))


@click.command()
def compare() -> None:
    """The whole side-by-side comparison of the two plugins."""
    kb = _knowledge()
    print_markdown(
        render_text(
            "cli/compare.md.j2",
            plugins=[kb.plugin(p) for p in PLUGIN_IDS],
            rows=kb.rows,
            sources=kb.sources,
        )
    )


@click.command()
@click.argument("plugin", nargs=-1, required=True)
def checklist(plugin: tuple[str, ...]) -> None:
    """The connectivity checklist for PLUGIN (flannel, terway-edge or terway), with how to verify
    each item."""
    kb = _knowledge()
    words = " ".join(plugin)
    plugin_id = named_plugin(words, kb)  # the words `/netplugin checklist` takes
    if plugin_id is None:
        raise click.BadParameter(
            say("cli-unknown-plugin", given=words, plugins=list(PLUGIN_IDS)), param_hint="PLUGIN"
        )
    items = [i for i in kb.checklist if plugin_id in i.plugins]
    print_markdown(
        render_text(
            "cli/checklist.md.j2", plugin=kb.plugin(plugin_id), items=items, sources=kb.sources
        )
    )


@click.command()
def keys() -> None:
    """The keys and plain words the advisor understands."""
    kb = _knowledge()
    print_markdown(render_text("cli/keys.md.j2", questions=kb.questions, words=phrasebook(kb)))


@click.group()
def knowledge() -> None:
    """Inspect the knowledge base (knowledge/*.yaml)."""


@knowledge.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None)
def knowledge_check(directory: str | None) -> None:
    """Validate the knowledge files; name the file, entry and field of every problem."""
    try:
        kb = load_knowledge(directory)
    except KnowledgeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(render_text("cli/knowledge-ok.txt.j2", kb=kb))
