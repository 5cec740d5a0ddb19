"""`netplugin decisions list | show | export`: review the decision log outside Slack."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import click

from bot.cli.advice import card_markdown, print_markdown
from bot.cli.params import SINCE
from bot.cli.records import EVER_ADOPTED, adr_file_name, adr_markdown, names_for, record_fields
from bot.core.adopting import AdoptProblem, cluster_name, review_date
from bot.core.explain import drift
from bot.core.knowledge import default_knowledge
from bot.decisions import Decision, DecisionLog, default_db_path
from bot.decisions.adoption import AdoptRefused, adopt
from bot.decisions.database import LogFileError
from bot.render.environment import csv_cell, printable, render_text, terminal_json
from bot.render.messages import say

CSV_COLUMNS = [
    "id",
    "created_at",
    "team",
    "channel",
    "visibility",
    "user",
    "source",
    "status",
    "plugin",
    "knowledge_version",
    "message_ts",
    "permalink",
    "parent_id",
    "raw_text",
    "plan",
    "result",
]


db_option = click.option(
    "--db",
    "db_path",
    default=None,
    help="The decision log (default: $NETPLUGIN_DB or ./netplugin.db).",
)


def _open(db_path: str | None) -> DecisionLog:
    """The log, or one line naming the file and what to do (exit 2) when it cannot be used.
    Only an existing file is opened: a mistyped path creates nothing, and is not read as an
    empty log. When it is missing but the playground's log is beside it, the line says so."""
    try:
        return DecisionLog(db_path or default_db_path(), must_exist=True)
    except LogFileError as exc:
        if exc.problem == "missing":
            from bot.playground.session import DEFAULT_DB as PLAYGROUND_DB

            beside = Path(exc.path).parent / PLAYGROUND_DB
            playground = printable(beside) if beside.is_file() else ""
            line = say("log-file-missing", path=printable(exc.path), playground=playground)
        else:
            line = say(
                "log-file-unusable",
                path=printable(exc.path),
                problem=exc.problem,
                error=printable(exc.error),
            )
        click.echo(line, err=True)
        sys.exit(2)


def _plugin_names() -> dict[str, str]:
    return {p.id: p.name for p in default_knowledge().plugins}


@click.group()
def decisions() -> None:
    """Review the decision log."""


@decisions.command("list")
@db_option
@click.option("--channel", default=None, help="Only decisions made in this channel id.")
@click.option("--plugin", type=click.Choice(["flannel", "terway-edge"]), default=None)
@click.option(
    "--since",
    type=SINCE,
    default=None,
    help="Only decisions at or after this: an ISO date or time (UTC unless it has an offset),"
    " 7d, 12h, 2w, yesterday or today.",
)
@click.option("--limit", type=int, default=None)
def list_decisions(db_path, channel, plugin, since, limit) -> None:
    """List logged decisions, oldest first."""
    log = _open(db_path)
    found = log.query(channel=channel, plugin=plugin, since=since, limit=limit)
    print_markdown(
        render_text(
            "cli/decisions-list.md.j2",
            decisions=found,
            names=names_for(log, found),
            plugin_names=_plugin_names(),
            say=say,
        )
    )


@decisions.command("show")
@db_option
@click.argument("decision_id", type=int)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="The fields of its record (as in the ADR's front matter) and its result, as JSON.",
)
def show(db_path, decision_id, as_json) -> None:
    """Show one decision as it was made, and whether today's knowledge would differ."""
    log = _open(db_path)
    found = log.get(decision_id)
    if found is None:
        click.echo(render_text("cli/not-found.txt.j2", id=decision_id, db=log.path), err=True)
        sys.exit(1)
    names = names_for(log, [found])
    if as_json:
        fields = record_fields(found, names, _plugin_names())
        record = {**fields, "result": found.result}
        click.echo(terminal_json(record))
        return
    kb = default_knowledge()
    changed = drift(found.result, kb)
    header = render_text(
        "cli/decision-header.md.j2",
        d=found,
        names=names,
        drift=changed if changed and changed.differs else None,
        plugin_names=_plugin_names(),
        say=say,
    )
    print_markdown(header + "\n\n" + card_markdown(found.result, kb, full=True))


def _as_json(found: list[Decision]) -> str:
    return json.dumps([d.model_dump(mode="json") for d in found], indent=2, ensure_ascii=False)


def _as_csv(found: list[Decision]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for d in found:
        row = d.model_dump(mode="json")
        row["plan"] = json.dumps(row["plan"], sort_keys=True)
        row["result"] = json.dumps(row["result"], sort_keys=True)
        writer.writerow({k: csv_cell(v) for k, v in row.items()})  # text, never a formula
    return out.getvalue()


@decisions.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "adr"]), default="json")
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="A file (json, csv) or a directory (adr); default: standard output, ./adr for adr.",
)
@click.option("--channel", default=None)
@click.option("--plugin", type=click.Choice(["flannel", "terway-edge"]), default=None)
@click.option("--since", type=SINCE, default=None, help="As for `decisions list`.")
@click.option(
    "--id", "ids", type=int, multiple=True, help="Only these decisions (adr: whatever their state)."
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="adr: every decision, proposals too (default: the adopted ones and those they"
    " superseded).",
)
def export(db_path, fmt, out, channel, plugin, since, ids, every) -> None:
    """Export decisions as JSON, CSV, or one MADR Markdown file per adopted decision (adr)."""
    log = _open(db_path)
    found = log.query(channel=channel, plugin=plugin, since=since)
    if ids:
        found = [d for d in found if d.id in set(ids)]
    if fmt == "adr":
        _export_adr(log, found, Path(out or "adr"), every=every or bool(ids))
        return
    text = _as_json(found) if fmt == "json" else _as_csv(found)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(render_text("cli/exported.txt.j2", count=len(found), where=out), err=True)
    else:
        click.echo(text, nl=False)


def _export_adr(log: DecisionLog, found: list[Decision], directory: Path, *, every: bool) -> None:
    """One record per decision: the ones ever adopted, unless `every`. A record links to those
    it supersedes or is superseded by (their file names, exported or not)."""
    chosen = found if every else [d for d in found if d.state in EVER_ADOPTED]
    related = {i for d in chosen for i in (d.supersedes, d.superseded_by) if i}
    files = {d.id: adr_file_name(d) for d in chosen}
    for i in related - files.keys():
        other = log.get(i)
        if other is not None:
            files[i] = adr_file_name(other)
    names, plugin_names = names_for(log, chosen), _plugin_names()
    directory.mkdir(parents=True, exist_ok=True)
    for d in chosen:
        record = adr_markdown(d, names=names, plugin_names=plugin_names, files=files)
        (directory / files[d.id]).write_text(record, encoding="utf-8")
    click.echo(render_text("cli/exported.txt.j2", count=len(chosen), where=directory), err=True)
    if not chosen and found:
        click.echo(say("adr-none-adopted", proposals=len(found)), err=True)


def _checked(value: object, param: str) -> object:
    if isinstance(value, AdoptProblem):
        raise click.BadParameter(say(value.code, **value.params), param_hint=param)
    return value


@decisions.command("adopt")
@db_option
@click.argument("decision_id", type=int)
@click.option("--cluster", required=True, help="The cluster's name, as it will be in ACK.")
@click.option("--by", "by", required=True, help="Who adopts it, by name.")
@click.option(
    "--review-by", default="", help="A date, YYYY-MM-DD (default: before the cluster is created)."
)
def adopt_decision(db_path, decision_id, cluster, by, review_by) -> None:
    """Adopt decision DECISION_ID for a cluster: it supersedes the cluster's previous one."""
    name = _checked(cluster_name(cluster), "--cluster")
    review = _checked(review_date(review_by, dt.datetime.now(dt.UTC).date()), "--review-by")
    log = _open(db_path)
    try:
        adoption = adopt(log, decision_id, cluster=name, by=by, review_by=review)
    except AdoptRefused as exc:
        click.echo(say(exc.code, **exc.params), err=True)
        sys.exit(1)
    finally:
        log.close()
    click.echo(render_text("cli/adopted.txt.j2", adoption=adoption))
