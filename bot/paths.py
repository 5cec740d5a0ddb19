"""Where the data directories are.

`knowledge/` and `templates/` sit at the top of the repository so that a team edits them without
touching code. A wheel carries them inside the package (`bot/_data/`, see pyproject.toml); from a
source checkout or an editable install they are read in place. Environment variables point at a
team's own copies.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str, env_var: str) -> Path:
    return _resolve(name, os.environ.get(env_var) or "")


@cache  # asked on every message rendered; the answer changes only with the environment variable
def _resolve(name: str, override: str) -> Path:
    if override:
        return Path(override)
    shipped = _PACKAGE / "_data" / name
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name


def knowledge_dir() -> Path:
    return _data_dir("knowledge", "NETPLUGIN_KNOWLEDGE_DIR")


def templates_dir() -> Path:
    return _data_dir("templates", "NETPLUGIN_TEMPLATES_DIR")
