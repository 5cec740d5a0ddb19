"""One checklist result, within what the report carries (bot.core.preflight): the words cut to
MAX_TEXT with an ellipsis, so a long finding (many overlapping routes, a peer's capabilities)
is shortened, never refused."""

from __future__ import annotations

from typing import Any

from bot.core.preflight import MAX_TEXT, ItemResult, ItemStatus


def item(
    id: str,
    status: ItemStatus,
    *,
    peer: str | None = None,
    measured: str = "",
    values: dict[str, Any] | None = None,
) -> ItemResult:
    if len(measured) > MAX_TEXT:
        measured = measured[: MAX_TEXT - 1].rstrip() + "…"
    return ItemResult(id=id, status=status, peer=peer, measured=measured, values=values or {})
