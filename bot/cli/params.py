"""Option types of the `netplugin` command that refuse what they cannot read (click: exit 2,
the option named), in the words of templates/messages.yaml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import click

from bot.core.since import parse_since
from bot.render.environment import printable
from bot.render.messages import say


def utc_now() -> datetime:
    return datetime.now(UTC)


class Since(click.ParamType):
    """`--since`: an ISO date or datetime (UTC unless it has an offset), 7d, 12h, 2w, yesterday,
    today (bot/core/since.py). The value is the moment as the log writes `created_at`
    (bot/decisions/database.now: UTC, milliseconds, +00:00), because DecisionLog.query compares
    the two as strings. `clock` gives now: tests set it."""

    name = "since"

    def __init__(self, clock: Callable[[], datetime] = utc_now):
        self.clock = clock

    def convert(self, value, param, ctx) -> str:
        moment = parse_since(str(value), self.clock())
        if moment is None:
            self.fail(say("since-invalid", given=printable(value)), param, ctx)
        return moment.isoformat(timespec="milliseconds")


SINCE = Since()
