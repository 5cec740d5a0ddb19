"""Imports run one way: base ← core ← decisions / render ← slack ← runtime ← cli / playground.

The table below is the architecture; the test reads every module's imports (module level and
inside functions) and fails on any edge it does not allow, and on any cycle between modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

# Which layers a layer may import (itself included). `base` is read by all and reads nothing.
ALLOWED: dict[str, set[str]] = {
    "base": {"base"},
    "core": {"core", "base"},
    "decisions": {"decisions", "core", "base"},
    "render": {"render", "core", "base"},
    "slack": {"slack", "render", "decisions", "core", "base"},
    # The stand-in for Slack (tests, benchmarks, the playground) answers with the app's scopes.
    "fakeslack": {"fakeslack", "slack", "base"},
    "runtime": {"runtime", "slack", "render", "decisions", "core", "base"},
    # `netplugin preflight`: measures on the hosts; the CLI reads a decision and passes it in.
    "preflight": {"preflight", "render", "core", "base"},
    "top": {
        "top",
        "runtime",
        "fakeslack",
        "slack",
        "preflight",
        "render",
        "decisions",
        "core",
        "base",
    },
}
PACKAGES = {
    "core": "core",
    "decisions": "decisions",
    "render": "render",
    "slack": "slack",
    "fakeslack": "fakeslack",
    "runtime": "runtime",
    "preflight": "preflight",
    "cli": "top",
    "playground": "top",
    "__main__": "top",
}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("paths", "settings"):
        return "base"
    return PACKAGES[parts[1]]


def _name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of `bot` it imports, anywhere in its code."""
    paths = {_name(p): p for p in BOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        graph[module] = {m for m in found if m in paths and m not in (module, "bot")}
    return graph


def forbidden_edges(graph: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(
        f"{a} -> {b} ({layer(a)} may not import {layer(b)})"
        for a, targets in graph.items()
        for b in targets
        if layer(b) not in ALLOWED[layer(a)]
    )


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_every_import_follows_the_layers():
    graph = import_graph()
    assert len(graph) > 50, "the graph should cover the whole package"
    assert forbidden_edges(graph) == []


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("bot.core.engine", "bot.render.messages"),  # the engine returns codes; templates talk
        ("bot.render.environment", "bot.slack.ids"),  # the Slack renderer lives in bot.slack
        ("bot.slack.cards", "bot.runtime.metrics"),  # the app is assembled in runtime
        ("bot.slack.commands.question", "bot.runtime.health"),
        ("bot.decisions.store", "bot.slack.ids"),
        ("bot.runtime.server", "bot.cli.serve"),
        ("bot.core.plan", "bot.decisions.store"),
        ("bot.preflight.check", "bot.decisions.store"),  # the CLI reads the log, passes it in
        ("bot.preflight.report", "bot.slack.ids"),
        ("bot.preflight.bgp", "bot.runtime.server"),
    ],
)
def test_the_checker_refuses_an_edge_against_the_layers(importer, imported):
    graph = {**import_graph()}
    graph[importer] = {*graph[importer], imported}
    assert any(edge.startswith(f"{importer} -> {imported}") for edge in forbidden_edges(graph))


def test_the_checker_finds_a_cycle():
    graph = {**import_graph()}
    graph["bot.render.messages"] = {*graph["bot.render.messages"], "bot.render.environment"}
    assert ["bot.render.environment", "bot.render.messages"] in cycles(graph)


@pytest.mark.slow
def test_the_core_and_the_log_import_no_slack_bolt():
    code = (
        "import sys\n"
        "import bot.core.engine, bot.core.grammar, bot.core.explain, bot.core.cidr\n"
        "import bot.decisions, bot.cli.advice, bot.cli.decisions\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'slack_bolt')\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
