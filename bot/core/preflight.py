"""What `netplugin preflight check` found on real hosts, as the bot receives it.

The results are the connectivity checklist's own items (knowledge/checklist.yaml ids), each met,
unmet or unknown with what was measured; a report carries them for one decision, with the
decision's token (an HMAC of its id under a key the bot keeps) and a nonce that makes it usable
once. bot/preflight/ measures and sends; bot/slack and bot/runtime receive, check, record and
post; both speak this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ItemStatus = Literal["met", "unmet", "unknown"]
MAX_RESULTS = 200  # a check of a few peers gives a few dozen
MAX_TEXT = 500


class ItemResult(BaseModel):
    """One checklist item, measured from one host (towards one peer, when it has one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=64)  # the checklist item's id: vxlan-port, vxlan-mtu, …
    status: ItemStatus
    peer: str | None = Field(default=None, max_length=64)  # the address probed, if any
    measured: str = Field(default="", max_length=MAX_TEXT)  # what was found, in plain words
    values: dict[str, Any] = {}  # the numbers: rtt_ms, path_mtu, pod_mtu, peer_as, route …


class Report(BaseModel):
    """What `preflight check --decision ID --report URL` sends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: int = Field(ge=1)
    token: str = Field(min_length=16, max_length=128)
    nonce: str = Field(min_length=16, max_length=64)  # new for every report: a replay is refused
    sent_at: dt.datetime  # with its offset; too old or from the future is refused
    host: str = Field(max_length=253)  # the host that ran the check (its name)
    by: str = Field(default="", max_length=120)  # who ran it, if they said
    results: list[ItemResult] = Field(max_length=MAX_RESULTS)
