"""Jinja2 environments over templates/, and escaping for Slack's mrkdwn.

Slack mrkdwn gives `&`, `<` and `>` a meaning (`<!channel>`, `<@U123>`, links), so every value a
template interpolates is escaped on the way out: `finalize` runs on every `{{ … }}`. In JSON
templates (`*.json.j2`) it also escapes for a JSON string, so templates write
`"text": "*{{ title }}*"` and no value can break the JSON or ping anyone. Text the templates
build on purpose (links, mentions) is marked with `SlackMarkup` and passes through.

Text templates (the terminal: `netplugin recommend`, `decisions show` and `list`; ADR files)
get `printable` on every `{{ … }}`: what people typed in Slack reaches an operator's terminal
without control characters (an ESC sequence can retitle the window, rewrite the screen, or
hide text). A CSV export neutralises cells a spreadsheet would run as formulas (`csv_cell`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot import paths
from bot.core.result import answer_words
from bot.render.messages import compile_messages, say


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


# An escape sequence goes whole: CSI (ESC [ … final), OSC/DCS/PM/APC strings (up to BEL or
# ESC \\), or ESC and one more character; then every C0 control but tab and newline, DEL and
# the C1 controls.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~]?)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: Any) -> str:
    """`value` as text without control characters (tab and newline stay): for a terminal or a
    file people open in one."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", str(value)))


# DEL and the C1 controls, which json.dumps leaves as they are (a terminal runs \x9b as ESC [).
_C1_CONTROL = re.compile(r"[\x7f-\x9f]")


def terminal_json(value: Any) -> str:
    """`value` as indented JSON for a terminal: every control character written as a \\u
    escape (json.dumps escapes C0 itself), so it still reads back to the same data."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _C1_CONTROL.sub(lambda c: f"\\u{ord(c.group()):04x}", text)


# OWASP's CSV injection rule: a cell starting with one of these is a formula (or becomes one)
# in Excel, LibreOffice and Google Sheets; a leading apostrophe makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: control characters stripped, a formula's first
    character behind an apostrophe. Numbers and None pass as they are."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value.replace("\r\n", "\n")))
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def markdown_escape(value: Any) -> str:
    """Markdown's own characters made literal (a control character goes first, whole)."""
    text = printable(value)
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def one_line(value: Any) -> str:
    """`value` on one line (a name in a heading or a list item): every run of whitespace, line
    breaks included, is one space."""
    return " ".join(printable(value).split())


class _YamlDumper(yaml.SafeDumper):
    """Text with a line break or a tab is written double-quoted, with escapes, on one line: no
    line of the value can be read as the `---` that ends front matter."""


def _yaml_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if ("\n" in text or "\t" in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_YamlDumper.add_representer(str, _yaml_str)
# Read as line breaks by YAML (and not control characters): made the line break they mean.
_YAML_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _yaml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("", printable(value.translate(_YAML_BREAKS)))
    if isinstance(value, dict):
        return {str(k): _yaml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_yaml_safe(v) for v in value]
    return value


def yaml_block(value: Any) -> str:
    """`value` (mappings, lists, text, numbers, None) as block YAML that parses back to it
    whatever its text contains (quotes, colons, `---`, line breaks): for front matter. Text
    loses its control characters first, as everywhere in a file people open in a terminal."""
    return yaml.dump(
        _yaml_safe(value),
        Dumper=_YamlDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=float("inf"),
    )


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


def checklist_groups(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A result's checklist as the card shows it: what must hold or the plugin is ruled out
    (not yet met), what to fix before creation (unmet), what is left to verify on the hosts,
    and what is met."""
    groups: dict[str, list[dict[str, Any]]] = {
        "must_hold": [],
        "to_fix": [],
        "to_verify": [],
        "met": [],
    }
    for entry in result.get("checklist", []):
        if entry["status"] == "met":
            groups["met"].append(entry)
        elif entry.get("if_unmet") == "blocks" and result.get("status") == "recommended":
            groups["must_hold"].append(entry)
        elif entry.get("if_unmet") == "blocks" and entry["status"] == "unmet":
            continue  # a conflict: the exclusions that rule the plugins out say it already
        elif entry["status"] == "unmet":
            groups["to_fix"].append(entry)
        else:
            groups["to_verify"].append(entry)
    return groups


@cache
def _environment(directory: str, kind: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_json_finalize if kind == "slack" else printable,
    )
    env.filters["mrkdwn"] = mrkdwn_escape
    env.filters["printable"] = printable
    env.filters["md"] = markdown_escape
    env.filters["line"] = one_line
    env.filters["yaml"] = yaml_block
    env.filters["answer"] = answer_words
    env.filters["detail"] = detail
    env.filters["warning"] = warning_text
    env.filters["checklist_groups"] = checklist_groups
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


def compile_slack_templates() -> None:
    """Compile the message catalog and every Slack template now (about 0.2 s here), so that
    the first card after a start does not wait for it: Jinja compiles a template on first use."""
    compile_messages()
    slack = environment("slack")
    for name in slack.list_templates(filter_func=lambda name: name.startswith("slack/")):
        slack.get_template(name)
