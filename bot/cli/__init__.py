"""The `netplugin` command. One module per concern; each adds its commands to `main` here."""

from __future__ import annotations

import click

from bot.cli import advice, decisions, doctor, manifest, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="netplugin-advisor")
def main() -> None:
    """NetPlugin Advisor: Flannel or Terway Edge for an ACK Edge cluster, explained."""


for command in (
    advice.recommend,
    advice.compare,
    advice.checklist,
    advice.keys,
    advice.knowledge,
    decisions.decisions,
    serve.serve,
    manifest.manifest,
    doctor.doctor,
):
    main.add_command(command)
