"""Jinja2 environments over templates/, and escaping for Slack's mrkdwn.

Slack mrkdwn gives `&`, `<` and `>` a meaning (`<!channel>`, `<@U123>`, links), so every value a
template interpolates is escaped on the way out: `finalize` runs on every `{{ … }}`. In JSON
templates (`*.json.j2`) it also escapes for a JSON string, so templates write
`"text": "*{{ title }}*"` and no value can break the JSON or ping anyone. Text the templates
build on purpose (links, mentions) is marked with `SlackMarkup` and passes through.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import paths
from bot.render.messages import say


class SlackMarkup(str):
    """mrkdwn made by our templates (a link, a mention): trusted, not escaped again."""


def mrkdwn_escape(value: Any) -> str:
    text = str(value)
    if isinstance(value, SlackMarkup):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _json_finalize(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, SlackMarkup) else mrkdwn_escape(value)
    return json.dumps(str(text), ensure_ascii=False)[1:-1]


def slack_link(url: str, label: str) -> SlackMarkup:
    """`<url|label>`, with the label escaped and no `|` or `>` able to break out of the url."""
    safe_url = str(url).replace(">", "%3E").replace("|", "%7C").replace("<", "%3C")
    return SlackMarkup(f"<{safe_url}|{mrkdwn_escape(label)}>")


def markdown_escape(value: Any) -> str:
    text = str(value)
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def answer(value: Any) -> str:
    """A plan answer as people write it: yes/no, comma-separated lists."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _said(message: Any) -> str:
    return say(message["code"], **message.get("params", {}))


def detail(entry: dict[str, Any]) -> str:
    """A checklist entry's finding in words (a decision logged before findings were codes
    carries its words in `detail`)."""
    finding = entry.get("finding")
    return _said(finding) if finding else entry.get("detail", "")


def warning_text(entry: dict[str, Any]) -> str:
    """A warning in words: its text from rules.yaml, or its finding's."""
    finding = entry.get("finding")
    return _said(finding) if finding else entry.get("text", "")


@cache
def _environment(directory: str, kind: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_json_finalize if kind == "slack" else None,
    )
    env.filters["mrkdwn"] = mrkdwn_escape
    env.filters["md"] = markdown_escape
    env.filters["answer"] = answer
    env.filters["detail"] = detail
    env.filters["warning"] = warning_text
    env.globals["slack_link"] = slack_link
    return env


def environment(kind: str = "text") -> Environment:
    """`slack` for Block Kit JSON templates, `text` for Markdown, terminal and plain text, over
    templates/ (or NETPLUGIN_TEMPLATES_DIR)."""
    return _environment(str(paths.templates_dir()), kind)


def render_json(template: str, **context: Any) -> Any:
    """Render a `*.json.j2` template and parse it: what Slack receives is always valid JSON."""
    text = environment("slack").get_template(template).render(**context)
    return json.loads(text)


def render_text(template: str, **context: Any) -> str:
    return environment("text").get_template(template).render(**context)
