"""The settings: everything configurable, from the environment. Nothing else in the bot reads
os.environ.

The model (`Settings`, `load`, `REQUIRED`, `InvalidSettings`; pydantic-settings) is
bot/settings/model.py, loaded when one of them is first asked for: `from bot.settings import
Settings` works as ever, while `override`, which the data directories ask on every render and
the CLI on every start, needs none of it (pydantic-settings costs a CLI start tens of ms).
"""

from __future__ import annotations

import os
from typing import Any

# Settings fields `override` reads directly (tests/test_docs.py checks they are fields).
OVERRIDES = frozenset({"netplugin_knowledge_dir", "netplugin_templates_dir", "netplugin_cache_dir"})
_MODEL = frozenset(
    {
        "Settings",
        "load",
        "REQUIRED",
        "InvalidSettings",
        "Mode",
        "LogLevel",
        "DEFAULT_API_URL",
        "DEFAULT_DB",
    }
)


def override(name: str) -> str | None:
    """One setting's value as set in the environment now, or None: for bot/paths.py."""
    if name not in OVERRIDES:
        raise KeyError(name)
    return os.environ.get(name.upper()) or None


def skip_pydantic_plugins() -> None:
    """Tell pydantic not to scan every installed distribution for plugins (its first schema
    build does, unless PYDANTIC_DISABLE_PLUGINS says otherwise): our models need none, and the
    CLI starts that much sooner. An operator's own PYDANTIC_DISABLE_PLUGINS wins."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def __getattr__(name: str) -> Any:
    if name in _MODEL:
        from bot.settings import model

        return getattr(model, name)
    raise AttributeError(f"module 'bot.settings' has no attribute {name!r}")
