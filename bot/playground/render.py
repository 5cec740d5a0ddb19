"""Block Kit to HTML, server-side, with the templates in templates/playground/.

    render_blocks(message["blocks"], users={"U0ALICE": "alice"})   # Markup
    render_view(view, errors={"q:pod-cidr": "…"}, values=state_values)

One Jinja2 environment with HTML autoescaping; the `text` filter renders a text object (mrkdwn
or plain_text, see mrkdwn.py). Every value that reaches the page goes through autoescape or the
mrkdwn renderer, which escapes first: nothing a message says can become HTML.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from bot import paths
from bot.playground.mrkdwn import mrkdwn, plain_text

_SAFE_SRC = re.compile(r"^https?://", re.I)


@pass_context
def _text(context: Context, obj: Any) -> Markup:
    """A Block Kit text object (or a bare string, taken as mrkdwn) as HTML."""
    if obj is None:
        return Markup("")
    if isinstance(obj, str):
        obj = {"type": "mrkdwn", "text": obj}
    text = str(obj.get("text", ""))
    if obj.get("type") == "plain_text":
        return plain_text(text)
    return mrkdwn(text, context.get("users") or {}, context.get("channels") or {})


def _safe_src(url: Any) -> str:
    """An image URL when it is http(s), else nothing (no javascript:, no data:)."""
    return str(url) if isinstance(url, str) and _SAFE_SRC.match(url) else ""


@cache
def _environment(directory: str) -> Environment:
    # The default (lenient) Undefined: every Block Kit field but `type` is optional, and a
    # missing one is simply not drawn.
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["text"] = _text
    env.filters["safe_src"] = _safe_src
    return env


def environment() -> Environment:
    return _environment(str(paths.templates_dir()))


def render(template: str, **context: Any) -> Markup:
    return Markup(environment().get_template(template).render(**context))


def render_blocks(
    blocks: list[dict[str, Any]],
    *,
    users: dict[str, str] | None = None,
    channels: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Markup:
    """Blocks as HTML. Buttons carry data-action-id / data-block-id for the page's script;
    `errors` (by block_id) are shown under their input blocks, as Slack does."""
    return render(
        "playground/blocks.html.j2",
        blocks=blocks,
        users=users or {},
        channels=channels or {},
        errors=errors or {},
    )


def render_view(
    view: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    users: dict[str, str] | None = None,
    channels: dict[str, str] | None = None,
) -> Markup:
    """A modal: title, blocks, Cancel and submit buttons, in a form. `values` (view.state.values
    as the page last submitted them) replace the initial values, so a modal shown again with
    errors keeps what the user typed."""
    return render(
        "playground/modal.html.j2",
        view=with_values(view, values) if values else view,
        users=users or {},
        channels=channels or {},
        errors=errors or {},
    )


def with_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of `view` whose input elements start from `values` (view.state.values)."""
    view = copy.deepcopy(view)
    for block in view.get("blocks", []):
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict):
            continue
        state = (values.get(block.get("block_id")) or {}).get(element.get("action_id"))
        if state is None:
            continue
        for key in ("initial_value", "initial_option", "initial_options"):
            element.pop(key, None)
        kind = element.get("type")
        if kind in ("static_select", "radio_buttons") and state.get("selected_option"):
            element["initial_option"] = state["selected_option"]
        elif kind == "checkboxes" and state.get("selected_options"):
            element["initial_options"] = state["selected_options"]
        elif state.get("value") is not None:
            element["initial_value"] = state["value"]
    return view
