"""Option types of the `netplugin` command that refuse what they cannot read (click: exit 2,
the option named), in the words of templates/messages.yaml."""

from __future__ import annotations

import ipaddress
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


class Address(click.ParamType):
    """An IPv4 or IPv6 address of one host: not a network, not 0.0.0.0 or ::, not multicast.
    The preflight probes go only to addresses given this way."""

    name = "ip"

    def convert(self, value, param, ctx) -> str:
        try:
            address = ipaddress.ip_address(str(value).strip())
        except ValueError:
            self.fail(say("pf-bad-ip", given=printable(value)), param, ctx)
        if address.is_unspecified or address.is_multicast or str(address) == "255.255.255.255":
            self.fail(say("pf-ip-not-a-host", given=str(address)), param, ctx)
        return str(address)


class Network(click.ParamType):
    """A CIDR such as 10.32.0.0/16, with no host bits set."""

    name = "cidr"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        try:
            return ipaddress.ip_network(text)
        except ValueError:
            pass
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            self.fail(say("pf-bad-cidr", given=printable(value)), param, ctx)
        self.fail(say("pf-cidr-host-bits", given=text, network=str(network)), param, ctx)


ADDRESS = Address()
NETWORK = Network()
