"""What Slack would reject in a message's or a modal's blocks: the tests' check of what the
renderers (bot/slack/render.py) produce.

    assert block_problems(post.params["blocks"]) == []
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.slack.render import HEADER_TEXT, MAX_BLOCKS, SECTION_TEXT, units


def block_problems(blocks: list[dict[str, Any]], limit: int = MAX_BLOCKS) -> list[str]:
    """What Slack would reject in `blocks`: checked with slack_sdk's block models (each block
    parsed and validated) plus the message-level limits. Empty when all is well."""
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks, more than {limit}")
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is None:
                problems.append(f"block {i}: unknown type {raw.get('type')!r}")
                continue
            block.to_dict()  # validates the block and, recursively, what it holds
        except (SlackObjectFormationError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"block {i} ({raw.get('type')}): {exc}")
            continue
        for text in _texts(raw):
            if not text:
                problems.append(f"block {i} ({raw.get('type')}): empty text")
        if (
            raw.get("type") == "section"
            and units(raw.get("text", {}).get("text", "")) > SECTION_TEXT
        ):
            problems.append(f"block {i}: section text over {SECTION_TEXT}")
        if raw.get("type") == "header" and units(raw["text"]["text"]) > HEADER_TEXT:
            problems.append(f"block {i}: header over {HEADER_TEXT}")
    return problems


def _texts(obj: Any) -> list[str]:
    found: list[str] = []
    if isinstance(obj, dict):
        if obj.get("type") in ("mrkdwn", "plain_text") and "text" in obj:
            found.append(obj["text"])
        for value in obj.values():
            found.extend(_texts(value))
    elif isinstance(obj, list):
        for value in obj:
            found.extend(_texts(value))
    return found
