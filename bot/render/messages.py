"""Short messages by code (templates/messages.yaml): findings, input problems, labels.

say("capacity-too-small", pod_cidr="10.0.0.0/16", nodes=600, max_nodes=256, ...)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from bot import paths
from bot.core.knowledge import load_yaml

CATALOG = "messages.yaml"


@cache
def _catalog(directory: str) -> dict[str, Template]:
    path = Path(directory) / CATALOG
    entries = load_yaml(path.read_text(encoding="utf-8"))
    # Plain Jinja: messages are escaped where they are shown (bot.render.environment).
    env = Environment(undefined=StrictUndefined, autoescape=False)
    return {code: env.from_string(str(text).strip()) for code, text in entries.items()}


def compile_messages() -> None:
    """Compile the catalog now rather than on the first `say` (bot/runtime/app.py, at start)."""
    _catalog(str(paths.templates_dir()))


def say(code: str, **params: Any) -> str:
    """The message for `code`; a missing code is a bug in our templates, so it raises."""
    return _catalog(str(paths.templates_dir()))[code].render(**params)


def problem_text(problem: Any) -> str:
    """One input problem (bot.core.grammar.InputProblem) as a sentence."""
    if problem.reason.startswith("host-bits:"):
        return say(
            "host-bits",
            key=problem.key,
            given=problem.given,
            network=problem.reason.split(":", 1)[1],
        )
    return say(problem.kind, **problem.model_dump())
