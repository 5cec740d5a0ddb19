"""Block Kit from templates/slack/, cut deliberately to Slack's limits for any input.

Templates decide wording and layout; this module gives them helpers (`cite`, `clip`) and, after
rendering, fits every block to Block Kit's limits: at most 50 blocks in a message, 3000
characters in a section, 10 fields, 150 in a header, 75 in a button. A cut never splits an
escape (`&amp;`) or a link (`<url|label>`), and ends with "…". Lengths are counted in UTF-16
code units, as Slack's clients count them, so an emoji counts two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.core.knowledge import source_order
from bot.render.environment import SlackMarkup, mrkdwn_escape, render_json, slack_link
from bot.render.messages import say
from bot.slack import ids

MAX_BLOCKS = 50  # a message
MAX_VIEW_BLOCKS = 100  # a modal
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
CONTEXT_ELEMENTS = 10
ACTION_ELEMENTS = 25
INPUT_LABEL = 2000
INPUT_HINT = 2000
OPTION_TEXT = 75
MAX_OPTIONS = 100
PLACEHOLDER = 150
VIEW_TITLE = 24
VIEW_BUTTON = 24
MESSAGE_TEXT = 3000  # the notification fallback `text`: short on purpose
ELLIPSIS = "…"

_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _prefix(text: str, limit: int) -> str:
    count = 0
    for i, ch in enumerate(text):
        count += 2 if ord(ch) > 0xFFFF else 1
        if count > limit:
            return text[:i]
    return text


WORD_BACKOFF = 40  # how far a cut walks back to end on a whole word; a longer word is split


def _whole_words(head: str, text: str) -> str:
    """`head` (a prefix of `text`) without a trailing part-word, when a word boundary is near."""
    if len(head) >= len(text) or text[len(head)].isspace() or head[-1:].isspace():
        return head.rstrip()
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= max(len(head) - WORD_BACKOFF, 1):
        return head[:space].rstrip()
    return head


def cut(text: str, limit: int) -> str:
    """`text` (already escaped mrkdwn or plain text) within `limit` units, without breaking an
    escape, a link or, where one is near, a word; a cut text ends with an ellipsis."""
    if units(text) <= limit:
        return text
    head = _prefix(text, limit - units(ELLIPSIS))
    partial = _PARTIAL_ENTITY.search(head)
    if partial:
        head = head[: partial.start()]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    return _whole_words(head, text) + ELLIPSIS


def clip(value: Any, limit: int) -> str:
    """For templates: a user's words shortened, at a word where one is near, before they are
    escaped (`clip(u.said, 200)`)."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    return _whole_words(text[: max(limit - 1, 0)], text) + ELLIPSIS


def _fit_text(obj: Any, limit: int) -> None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        obj["text"] = cut(obj["text"], limit) or " "


def _fit_element(element: dict[str, Any]) -> None:
    kind = element.get("type")
    if kind == "button":
        _fit_text(element.get("text"), BUTTON_TEXT)
        if isinstance(element.get("value"), str):
            element["value"] = element["value"][:BUTTON_VALUE]
    _fit_text(element.get("placeholder"), PLACEHOLDER)
    if isinstance(element.get("options"), list):
        element["options"] = element["options"][:MAX_OPTIONS]
        for option in element["options"]:
            _fit_text(option.get("text"), OPTION_TEXT)
            _fit_text(option.get("description"), OPTION_TEXT)
    if kind in ("mrkdwn", "plain_text"):  # a context element
        _fit_text(element, SECTION_TEXT)


def fit_block(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "header":
        _fit_text(block.get("text"), HEADER_TEXT)
    elif kind == "section":
        _fit_text(block.get("text"), SECTION_TEXT)
        if "fields" in block:
            block["fields"] = block["fields"][:MAX_FIELDS]
            for field in block["fields"]:
                _fit_text(field, FIELD_TEXT)
        if isinstance(block.get("accessory"), dict):
            _fit_element(block["accessory"])
    elif kind == "context":
        block["elements"] = block["elements"][:CONTEXT_ELEMENTS]
        for element in block["elements"]:
            _fit_element(element)
    elif kind == "actions":
        block["elements"] = block["elements"][:ACTION_ELEMENTS]
        for element in block["elements"]:
            _fit_element(element)
    elif kind == "input":
        _fit_text(block.get("label"), INPUT_LABEL)
        _fit_text(block.get("hint"), INPUT_HINT)
        if isinstance(block.get("element"), dict):
            _fit_element(block["element"])
    return block


def fit_blocks(blocks: list[dict[str, Any]], limit: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """Every block within its limits, and at most `limit` blocks: when there are more, the last
    block (the card's buttons) is kept and a note says how many were left out."""
    blocks = [fit_block(b) for b in blocks]
    if len(blocks) <= limit:
        return blocks
    keep_last = blocks[-1].get("type") == "actions"
    head = blocks[: limit - (2 if keep_last else 1)]
    left_out = len(blocks) - len(head) - (1 if keep_last else 0)
    note = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": mrkdwn_escape(say("blocks-cut", count=left_out))}],
    }
    return [*head, note, *([blocks[-1]] if keep_last else [])]


def fit_view(view: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "submit", "close"):
        _fit_text(view.get(key), VIEW_TITLE if key == "title" else VIEW_BUTTON)
    view["blocks"] = fit_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS)
    return view


# --- helpers the templates call -----------------------------------------------------------------


def citer(sources: dict[str, dict[str, Any]]) -> Callable[[list[str]], SlackMarkup]:
    """`cite(ids)`: the sources as links (`<url|S1>`), or `[policy]` for one without a URL."""

    def cite(source_ids: list[str]) -> SlackMarkup:
        parts = []
        for sid in sorted(source_ids, key=source_order):
            url = (sources.get(sid) or {}).get("url")
            parts.append(slack_link(url, sid) if url else mrkdwn_escape(f"[{sid}]"))
        return SlackMarkup(" ".join(parts))

    return cite


def mention(user: str | None) -> SlackMarkup | None:
    """`<@U123>` for a real user id; anything else is not mentioned at all."""
    if user and _USER_ID.fullmatch(user):
        return SlackMarkup(f"<@{user}>")
    return None


def _context(result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "r": result,
        "cite": citer(result.get("sources", {})),
        "clip": clip,
        "say": say,
        "ids": ids,
        **extra,
    }


def message(template: str, **context: Any) -> dict[str, Any]:
    """Render a message template to `{"text": …, "blocks": […]}` within Slack's limits.

    The template gives `text` (the notification fallback) and `blocks`."""
    rendered = render_json(template, **{"clip": clip, "say": say, "ids": ids, **context})
    return {
        "text": cut(rendered.get("text") or " ", MESSAGE_TEXT),
        "blocks": fit_blocks(rendered["blocks"]),
    }


def card(
    result: dict[str, Any],
    *,
    decision_id: int | None,
    plugin_names: dict[str, str],
    asked: str = "",
    user: str | None = None,
    lifecycle: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The recommendation card: header, top reasons, checklist, warnings, who asked what and
    what was understood, and the Explain / Adjust answers / Checklist / Adopt buttons (their
    value is the decision id). `asked` is the user's own text: escaped like everything else.
    `lifecycle`: the decision's state (adopted for a cluster, by whom; superseded by which)."""
    life = lifecycle or {"state": "proposed"}
    ctx = _context(
        result,
        decision_id=decision_id,
        plugin_names=plugin_names,
        asked=asked,
        asker=mention(user),
        life=life,
        adopter=mention(life.get("adopted_by")) or life.get("adopted_by"),
    )
    return message("slack/card.json.j2", **ctx)


def explanation(
    result: dict[str, Any],
    *,
    plugin_names: dict[str, str],
    verified: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """All of it, for the card's thread: every reason, why not the other plugin, every checklist
    item with its detail, every warning, the sources. `verified`: item id → what preflight
    reports measured for it (bot/slack/verified.py)."""
    ctx = _context(result, plugin_names=plugin_names, verified=verified or {})
    return message("slack/explain.json.j2", **ctx)


def checklist(
    title: str,
    items: list[dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    *,
    verified: dict[str, list[dict[str, Any]]] | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """The checklist items with how to verify each: a decision's (with statuses) or a plugin's
    (from the knowledge, without). For a decision, `verified`: item id → what preflight reports
    measured; `command`: the preflight command with its token (for the clicker alone)."""
    return message(
        "slack/checklist.json.j2",
        title=title,
        items=items,
        cite=citer(sources),
        verified=verified or {},
        command=command,
    )
