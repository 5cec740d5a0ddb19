"""Where the data directories are.

`knowledge/` and `templates/` sit at the top of the repository so that a team edits them without
touching code. A wheel carries them inside the package (`bot/_data/`, see pyproject.toml); from a
source checkout or an editable install they are read in place. Environment variables point at a
team's own copies.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.settings import override

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str, setting: str) -> Path:
    return _resolve(name, override(setting) or "")


@cache  # asked on every message rendered; the answer changes only with the environment variable
def _resolve(name: str, chosen: str) -> Path:
    if chosen:
        return Path(chosen)
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name


def knowledge_dir() -> Path:
    return _data_dir("knowledge", "netplugin_knowledge_dir")


def templates_dir() -> Path:
    return _data_dir("templates", "netplugin_templates_dir")
