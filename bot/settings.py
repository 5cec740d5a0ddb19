"""Settings from the environment (pydantic-settings). Secrets are SecretStr: never printed.

SLACK_BOT_TOKEN       xoxb-…, the bot token
SLACK_SIGNING_SECRET  verifies HTTP requests from Slack (HTTP mode)
SLACK_APP_TOKEN       xapp-…, an app-level token: Socket Mode
SLACK_API_URL         the Web API base URL (GovSlack, a proxy, the fake in tests)
PORT                  the HTTP port (HTTP mode), default 3000
NETPLUGIN_DB          the decision log (SQLite file), default netplugin.db
NETPLUGIN_HEALTH_PORT Socket Mode: port of the health/metrics side server, default 8080
NETPLUGIN_LOG_LEVEL   DEBUG, INFO (default), WARNING, ERROR: the JSON logs on stderr
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Mode = Literal["http", "socket"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
DEFAULT_API_URL = "https://slack.com/api/"

# What each mode needs, by environment variable name.
REQUIRED: dict[str, tuple[str, ...]] = {
    "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_API_URL
    port: int = 3000
    netplugin_db: str = "netplugin.db"
    netplugin_health_port: int = 8080
    netplugin_log_level: LogLevel = "INFO"

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

    @property
    def api_url(self) -> str:
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"


def _is_set(value: SecretStr | None) -> bool:
    return value is not None and value.get_secret_value() != ""
