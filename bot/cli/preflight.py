"""`netplugin preflight listen | check`: the connectivity checklist, measured on candidate nodes.

The commands read the options (every address, CIDR, port and AS checked before anything is
sent), work out which items to measure (the decision's, the plugin's, or those the options ask
for) and hand them to bot.preflight, which measures; the card comes from
templates/cli/preflight.md.j2, the words from templates/messages.yaml.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from bot.cli.params import ADDRESS, NETWORK
from bot.core.knowledge import default_knowledge
from bot.render.environment import printable, terminal_json
from bot.render.messages import say

INVALID_INPUT = 2
ASN = click.IntRange(1, 2**32 - 1)
PORT = click.IntRange(1, 65535)


def _refuse(code: str, **params: Any) -> None:
    click.echo(say(code, **params), err=True)
    sys.exit(INVALID_INPUT)


def _edge_ports(kb) -> list[str]:
    item = next((i for i in kb.checklist if i.id == "edge-ports"), None)
    return list(item.ports) if item else []


@click.group()
def preflight() -> None:
    """Measure the connectivity checklist on the candidate nodes. Run `preflight listen` on each
    node the checks go to and `preflight check` on the node they start from."""


@preflight.command()
@click.option(
    "--address",
    type=ADDRESS,
    required=True,
    help="This node's address, the one the peers will probe (never 0.0.0.0).",
)
@click.option(
    "--udp-port",
    "udp_ports",
    type=PORT,
    multiple=True,
    default=(8472,),
    show_default=True,
    help="UDP port to answer probes on (repeat for more).",
)
@click.option(
    "--tcp-port",
    "tcp_ports",
    type=PORT,
    multiple=True,
    help="TCP port to accept connections on (repeat; default: the edge-ports item's inbound"
    " ports, 10250 10255 9100 9445).",
)
@click.option(
    "--seconds",
    type=click.IntRange(1, 86400),
    default=600,
    show_default=True,
    help="Stop after this long.",
)
def listen(address: str, udp_ports: tuple[int, ...], tcp_ports: tuple[int, ...], seconds) -> None:
    """Answer `preflight check` probes on ADDRESS until --seconds have passed."""
    from bot.preflight import listener
    from bot.preflight.tcp import port_specs, ports_of

    tcp = list(dict.fromkeys(tcp_ports)) or ports_of(
        port_specs(_edge_ports(default_knowledge())), "tcp", "in"
    )
    try:
        sockets, state = listener.bind(address, list(dict.fromkeys(udp_ports)), tcp)
    except listener.ListenError as exc:
        click.echo(say(exc.code, **exc.params), err=True)
        sys.exit(1)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    for port in state.busy_tcp:
        click.echo(say("pf-listen-tcp-busy", address=address, port=port), err=True)
    click.echo(say("pf-listening", state=state, seconds=seconds), nl=True)
    sys.stdout.flush()
    listener.serve(sockets, state, seconds, stop=stop)
    click.echo(say("pf-listen-done", state=state, stopped=stop.is_set()))


def _decision(db_path: str | None, decision_id: int) -> dict[str, Any]:
    from bot.cli.decisions import _open

    log = _open(db_path)
    try:
        found = log.get(decision_id)
    finally:
        log.close()
    if found is None:
        _refuse("pf-no-decision", id=decision_id, db=printable(db_path or "netplugin.db"))
    return found.result


def _items(kb, result: dict | None, plugin: str | None, given: dict[str, bool]) -> list[str]:
    from bot.preflight.check import MEASURED

    if result is not None:
        ids = {entry["id"] for entry in result.get("checklist", [])}
    elif plugin is not None:
        ids = {i.id for i in kb.checklist if plugin in i.plugins}
    else:
        ids = set()
        if given["peers"]:
            ids |= {"vxlan-port", "vxlan-mtu", "edge-ports"}
        if given["bgp"]:
            ids.add("bgp-vswitch")
        if given["cidrs"]:
            ids.add("cidr-overlap")
        if given["raven"]:
            ids.add("edge-ports")
    return [i for i in MEASURED if i in ids]


@preflight.command()
@click.option("--peer", "peers", type=ADDRESS, multiple=True, help="A node to probe (repeat).")
@click.option("--bgp-peer", type=ADDRESS, default=None, help="The edge gateway to open BGP with.")
@click.option("--bgp-as", type=ASN, default=None, help="The AS the gateway should have.")
@click.option(
    "--local-as", type=ASN, default=64512, show_default=True, help="This node's AS, for BGP."
)
@click.option(
    "--router-id", type=ADDRESS, default=None, help="BGP identifier (default: the local address)."
)
@click.option(
    "--raven-gateway", type=ADDRESS, default=None, help="The Raven gateway (outbound ports)."
)
@click.option(
    "--plugin",
    type=click.Choice(["flannel", "terway-edge"]),
    default=None,
    help="Measure this plugin's items (default: the decision's, or what the options name).",
)
@click.option(
    "--decision",
    "decision_id",
    type=click.IntRange(1),
    default=None,
    help="A logged decision: its items and CIDRs, and the decision a report is for.",
)
@click.option(
    "--db",
    "db_path",
    default=None,
    help="The decision log, to read --decision's items (default: $NETPLUGIN_DB or"
    " ./netplugin.db; not read when --plugin is given without --db).",
)
@click.option("--pod-cidr", type=NETWORK, default=None, help="The planned pod CIDR.")
@click.option("--service-cidr", type=NETWORK, default=None, help="The planned Service CIDR.")
@click.option(
    "--link-mtu",
    type=click.IntRange(576, 9000),
    default=1500,
    show_default=True,
    help="The MTU the plan needs on every path.",
)
@click.option("--udp-port", type=PORT, default=8472, show_default=True, help="The VXLAN port.")
@click.option(
    "--tries",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Times each probe is sent while nothing answers.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.05, 30),
    default=1.0,
    show_default=True,
    help="Seconds to wait for each answer.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--report", "report_to", default=None, help="The bot's URL, to report --decision.")
@click.option("--token", default=None, help="The decision's token, as its checklist shows it.")
@click.option("--by", default="", help="Who ran the check, for the report.")
def check(**options: Any) -> None:
    """Measure the checklist items of a plugin or a decision from this node; exit 1 when one is
    unmet."""
    o = options
    if o["report_to"] is not None and (o["decision_id"] is None or not o["token"]):
        _refuse("pf-report-needs")
    if o["token"] and o["report_to"] is None:
        _refuse("pf-token-alone")
    url = None
    if o["report_to"] is not None:
        from bot.preflight.report import report_url

        url = report_url(o["report_to"])
        if url is None:
            _refuse("pf-bad-url", given=printable(o["report_to"]))
    if o["router_id"] and ":" in o["router_id"]:
        _refuse("pf-router-id-ipv4", given=o["router_id"])
    if o["bgp_peer"] and ":" in o["bgp_peer"] and not o["router_id"]:
        _refuse("pf-router-id-needed", peer=o["bgp_peer"])
    peers = tuple(dict.fromkeys(o["peers"]))
    from bot.preflight.check import MAX_PEERS, CheckPlan, run

    if len(peers) > MAX_PEERS:
        _refuse("pf-too-many-peers", count=len(peers), most=MAX_PEERS)
    kb = default_knowledge()
    plugin = o["plugin"]
    # The decision's items and CIDRs come from the log, read-only, unless the command says them
    # (the card's Checklist gives --plugin and the CIDRs: a node has no copy of the log) and no
    # --db asks for it: then the id only says which decision the report is for.
    from_log = o["decision_id"] and (o["db_path"] is not None or plugin is None)
    result = _decision(o["db_path"], o["decision_id"]) if from_log else None
    ports = _edge_ports(kb)
    cidrs: dict[str, Any] = {}
    if result is not None:
        if plugin and result.get("plugin") and plugin != result["plugin"]:
            decided, number = result["plugin"], o["decision_id"]
            _refuse("pf-plugin-differs", plugin=plugin, decided=decided, id=number)
        plugin = result.get("plugin") or plugin
        from bot.cli.params import NETWORK as reader

        for key in ("pod-cidr", "service-cidr"):
            if result.get("plan", {}).get(key):
                cidrs[key] = reader.convert(result["plan"][key], None, None)
        entry = next((e for e in result.get("checklist", []) if e["id"] == "edge-ports"), None)
        ports = (entry or {}).get("ports") or ports
    for key in ("pod_cidr", "service_cidr"):
        if o[key] is not None:
            cidrs[key.replace("_", "-")] = o[key]
    given = {
        "peers": bool(peers),
        "bgp": o["bgp_peer"] is not None,
        "cidrs": bool(cidrs),
        "raven": o["raven_gateway"] is not None,
    }
    items = _items(kb, result, plugin, given)
    if not items:
        _refuse("pf-nothing-to-check")
    plan = CheckPlan(
        items=tuple(items),
        peers=peers,
        udp_port=o["udp_port"],
        link_mtu=o["link_mtu"],
        bgp_peer=o["bgp_peer"],
        bgp_as=o["bgp_as"],
        local_as=o["local_as"],
        router_id=o["router_id"],
        raven_gateway=o["raven_gateway"],
        cidrs=cidrs,
        edge_ports=tuple(ports),
        tries=o["tries"],
        timeout=o["timeout"],
    )
    results = run(plan)
    answer = None
    if url is not None:
        from bot.preflight.report import build, send

        answer = send(url, build(o["decision_id"], o["token"], results, by=o["by"]))
    _show(kb, results, plugin, o["decision_id"], answer, as_json=o["as_json"])
    unmet = any(r.status == "unmet" for r in results)
    sys.exit(1 if unmet or (answer is not None and not answer.accepted) else 0)


def _show(kb, results, plugin, decision_id, answer, *, as_json: bool) -> None:
    import socket

    host = socket.gethostname()
    if as_json:
        out: dict[str, Any] = {
            "host": host,
            "plugin": plugin,
            "decision": decision_id,
            "results": [r.model_dump(mode="json") for r in results],
        }
        if answer is not None:
            out["report"] = {"accepted": answer.accepted, "status": answer.status}
            out["report"]["reason"] = answer.reason
        click.echo(terminal_json(out))
        return
    from bot.cli.advice import print_markdown
    from bot.render.environment import render_text

    titles = {i.id: i.title for i in kb.checklist}
    names = {p.id: p.name for p in kb.plugins}
    print_markdown(
        render_text(
            "cli/preflight.md.j2",
            results=results,
            titles=titles,
            plugin=names.get(plugin or "", ""),
            decision=decision_id,
            host=host,
            say=say,
        )
    )
    if answer is not None:
        code = "pf-report-accepted" if answer.accepted else "pf-report-refused"
        line = say(code, status=answer.status, reason=printable(answer.reason)[:500])
        click.echo(line, err=not answer.accepted)
