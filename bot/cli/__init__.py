"""The `netplugin` command. One module per concern; each command is imported when it is run.

A start imports click and this table only: `netplugin recommend` does not pay for the Slack
app, the server, the playground or the decision log, and `netplugin --help` pays for none of
them (the commands' one-line help is kept here; tests/test_cli_start.py checks it against
each command's own).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Sequence
from typing import Any

import click

from bot.settings import skip_pydantic_plugins

# name: (module, attribute, the first sentence of the command's help, which `--help` lists)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "checklist": (
        "bot.cli.advice",
        "checklist",
        "The connectivity checklist for PLUGIN (flannel, terway-edge or terway), with how to"
        " verify each item.",
    ),
    "compare": (
        "bot.cli.advice",
        "compare",
        "The whole side-by-side comparison of the two plugins.",
    ),
    "decisions": ("bot.cli.decisions", "decisions", "Review the decision log."),
    "doctor": (
        "bot.cli.doctor",
        "doctor",
        "Check the configuration before `netplugin serve`: tokens, scopes, database, knowledge.",
    ),
    "keys": ("bot.cli.advice", "keys", "The keys and plain words the advisor understands."),
    "knowledge": ("bot.cli.advice", "knowledge", "Inspect the knowledge base (knowledge/*.yaml)."),
    "manifest": (
        "bot.cli.manifest",
        "manifest",
        "Print the Slack app manifest: paste it into Create New App → From a manifest.",
    ),
    "preflight": (
        "bot.cli.preflight",
        "preflight",
        "Measure the connectivity checklist on the candidate nodes.",
    ),
    "recommend": (
        "bot.cli.advice",
        "recommend",
        "Recommend a plugin for TEXT: key=value pairs and/or plain words (see `netplugin keys`).",
    ),
    "serve": (
        "bot.cli.serve",
        "serve",
        "Run the Slack app (Socket Mode or HTTP), or the local playground without Slack.",
    ),
}


def command(name: str) -> click.Command:
    module, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(module), attribute)


def exit_without_collecting() -> None:
    """At exit the collector would free every object in a cycle (each class pydantic built: ~20
    ms); frozen, they are left to the OS. atexit handlers and the flush of stdout and stderr
    still run; finalizers at exit Python never promised."""
    gc.freeze()


class LazyGroup(click.Group):
    """A group whose commands are imported when one is run (click's documented pattern)."""

    def main(self, args: Sequence[str] | None = None, **kwargs: Any) -> Any:
        """Every run starts here (the script, `python -m bot`) before a command's import builds a
        pydantic model; the group's own callback runs only after that import."""
        skip_pydantic_plugins()
        try:
            return super().main(args, **kwargs)
        finally:
            if args is None and kwargs.get("standalone_mode", True):  # the process ends now
                exit_without_collecting()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, from the table, importing none of them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="netplugin-advisor")
def main() -> None:
    """NetPlugin Advisor: Flannel or Terway Edge for an ACK Edge cluster, explained."""
