"""Every setting, from the environment (pydantic-settings), declared once with what it means.
Secrets are SecretStr: never printed. `netplugin serve` and `netplugin doctor` load a Settings.
The README's configuration table is checked against this class (tests/test_docs.py). Import it
from `bot.settings`, which loads this module when it is first asked for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Mode = Literal["http", "socket"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB = "netplugin.db"

# What each mode needs, by environment variable name.
REQUIRED: dict[str, tuple[str, ...]] = {
    "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = Field(None, description="bot token `xoxb-…`")
    slack_signing_secret: SecretStr | None = Field(
        None, description="verifies requests in HTTP mode"
    )
    slack_app_token: SecretStr | None = Field(
        None, description="app-level token `xapp-…`: Socket Mode (no public endpoint)"
    )
    slack_api_url: str = Field(
        DEFAULT_API_URL, description="Web API base URL (default Slack's; GovSlack, a proxy)"
    )
    port: int = Field(3000, description="HTTP port, default 3000")
    netplugin_db: str = Field(
        DEFAULT_DB,
        description="the decision log, default `netplugin.db` (`playground.db` in the playground)",
    )
    netplugin_health_port: int = Field(
        8080, description="Socket Mode: port of `/healthz`, `/readyz`, `/metrics`, default 8080"
    )
    netplugin_log_level: LogLevel = Field(
        "INFO", description="`DEBUG`, `INFO` (default), `WARNING`, `ERROR`: JSON logs on stderr"
    )
    # More would only take the GIL from the request threads that are acking (docs/slack.md).
    netplugin_lazy_workers: int = Field(
        2, ge=1, le=64, description="threads that post cards after the ack, default 2"
    )
    netplugin_public_url: str | None = Field(
        None,
        description="the bot's public URL (`https://bot.example.com`; in Socket Mode the health"
        " port's), shown in the preflight command the checklist gives",
    )
    netplugin_templates_dir: str | None = Field(None, description="your own copy of `templates/`")
    netplugin_knowledge_dir: str | None = Field(None, description="your own copy of `knowledge/`")
    netplugin_cache_dir: str | None = Field(
        None,
        description="where validated knowledge is kept between runs, default `~/.cache/netplugin`;"
        " `off` for none",
    )

    @field_validator("netplugin_log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def mode(self, requested: Mode | None = None) -> Mode | None:
        """The mode to run in: the one asked for, else Socket Mode when an app token is set,
        else HTTP when a bot token or signing secret is set; None when no token is set at all
        (later: the local playground)."""
        if requested:
            return requested
        if self.slack_app_token is not None:
            return "socket"
        if self.slack_bot_token is not None or self.slack_signing_secret is not None:
            return "http"
        return None

    def missing(self, mode: Mode) -> list[str]:
        """The environment variables `mode` needs and that are not set (names, never values)."""
        return [name for name in REQUIRED[mode] if not _is_set(getattr(self, name.lower()))]

    def secrets(self) -> list[str]:
        """The values that must never be logged (the log formatter redacts them)."""
        return [
            s.get_secret_value()
            for s in (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token)
            if _is_set(s)
        ]

    def db_or(self, default: str) -> str:
        """NETPLUGIN_DB when it is set, else `default` (the playground keeps its own file)."""
        return self.netplugin_db if "netplugin_db" in self.model_fields_set else default

    @property
    def api_url(self) -> str:
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"


def _is_set(value: SecretStr | None) -> bool:
    return value is not None and value.get_secret_value() != ""


class InvalidSettings(ValueError):
    """Settings that do not validate (PORT=abc): the variables' names, never their values."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def load() -> Settings:
    """The settings, as `netplugin serve` and `netplugin doctor` both load them."""
    try:
        return Settings()
    except ValidationError as exc:
        raise InvalidSettings([str(e["loc"][0]).upper() for e in exc.errors()]) from None
