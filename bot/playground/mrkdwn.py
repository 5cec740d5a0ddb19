"""Slack's mrkdwn as HTML, the way Slack's clients show it, with no way to inject HTML.

The text is escaped for HTML first; every rule after that works on the escaped text and only
wraps pieces of it in tags of our own. So a `<script>` in a message is shown, never run:

- `<url|label>` and `<url>` are links (http, https and mailto only); `<@U…>` and `<#C…|name>`
  mentions; `<!channel>`, `<!here>`, `<!everyone>` and `<!subteam^…|@team>` are shown as
  mentions, `<!date^…|fallback>` as its fallback;
- `&amp;`, `&lt;` and `&gt;` (Slack's escapes for a literal & < >) are shown as & < >;
- ```pre```, `code` (no formatting inside), *bold*, _italic_, ~strike~;
- lines starting with "• ", "◦ " or "- " are a list; other line breaks are kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping

from markupsafe import Markup

# Slack's own escapes, as they look once the text is escaped for HTML.
_ENTITIES = {"&amp;amp;": "&amp;", "&amp;lt;": "&lt;", "&amp;gt;": "&gt;"}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))

_PRE = re.compile(r"```\n?(.*?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_ANGLE = re.compile(r"&lt;([^\n]*?)&gt;")
_BOLD = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]*?[^\s*])\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?![\s_])([^_\n]*?[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?![\s~])([^~\n]*?[^\s~])~(?![\w~])")
_BULLET = re.compile(r"^(\s*)(?:•|◦|-) (.*)$")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:)[^\s\"'<>`]+$", re.I)
_HOLE = re.compile("\x00(\\d+)\x00")

Names = Mapping[str, str]


def slack_unescape(escaped: str) -> str:
    """`&amp;lt;` (Slack's `&lt;`, escaped for HTML) to `&lt;` (shown as `<`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], escaped)


def plain_text(text: str) -> Markup:
    """A plain_text object: Slack's three escapes decoded, nothing else interpreted."""
    return Markup(slack_unescape(html.escape(str(text), quote=True)))


def mrkdwn(text: str, users: Names | None = None, channels: Names | None = None) -> Markup:
    """`text` (Slack mrkdwn) as safe HTML; `users` and `channels` name the ids of mentions."""
    users = users or {}
    channels = channels or {}
    holes: list[str] = []

    def hole(fragment: str) -> str:
        holes.append(fragment)
        return f"\x00{len(holes) - 1}\x00"

    escaped = html.escape(str(text).replace("\x00", ""), quote=True)
    escaped = _PRE.sub(lambda m: hole(f"<pre>{slack_unescape(m.group(1))}</pre>"), escaped)
    escaped = _CODE.sub(lambda m: hole(f"<code>{slack_unescape(m.group(1))}</code>"), escaped)
    escaped = _ANGLE.sub(lambda m: hole(_angle(m.group(1), m.group(0), users, channels)), escaped)
    escaped = slack_unescape(escaped)
    for pattern, tag in ((_BOLD, "b"), (_ITALIC, "i"), (_STRIKE, "s")):
        escaped = pattern.sub(_wrap(tag), escaped)
    body = _lines(escaped)
    while _HOLE.search(body):  # a link's label may hold a hole of its own
        body = _HOLE.sub(lambda m: holes[int(m.group(1))], body)
    return Markup(body)


def _wrap(tag: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"<{tag}>{m.group(1)}</{tag}>"


def _angle(inner: str, whole: str, users: Names, channels: Names) -> str:
    """One `<…>` sequence (its inside still escaped for HTML) as HTML."""
    target, _, label = inner.partition("|")
    if target.startswith("@") and len(target) > 1:
        name = label or users.get(target[1:]) or target[1:]
        return f'<span class="mention">@{slack_unescape(name)}</span>'
    if target.startswith("#") and len(target) > 1:
        name = label or channels.get(target[1:]) or target[1:]
        return f'<span class="mention">#{slack_unescape(name)}</span>'
    if target.startswith("!"):
        command = target[1:].split("^", 1)[0]
        if command in ("channel", "here", "everyone"):
            return f'<span class="mention broadcast">@{command}</span>'
        if label:
            return f'<span class="mention">{slack_unescape(label)}</span>'
        return whole
    url = html.unescape(target)  # back to Slack's form, then Slack's escapes undone
    url = url.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if not _SAFE_URL.match(url):
        return slack_unescape(whole)
    href = html.escape(url, quote=True)
    shown = slack_unescape(label) if label else href
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{shown}</a>'


def _lines(text: str) -> str:
    """Bullet lines as lists, the other line breaks as <br>."""
    out: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items.clear()

    plain: list[str] = []
    for line in text.split("\n"):
        bullet = _BULLET.match(line)
        if bullet:
            if plain:
                out.append("<br>".join(plain))
                plain = []
            nested = ' class="nested"' if bullet.group(1) else ""
            items.append(f"<li{nested}>{bullet.group(2)}</li>")
        else:
            flush()
            plain.append(line)
    flush()
    if plain:
        out.append("<br>".join(plain))
    return "".join(out)
