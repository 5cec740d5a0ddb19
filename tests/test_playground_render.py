"""The playground's Block Kit and mrkdwn renderer: every block and element the bot uses, Slack's
formatting, and hostile text that must stay text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.core.knowledge import default_knowledge
from bot.playground.mrkdwn import mrkdwn, plain_text
from bot.playground.render import render_blocks, render_view, with_values
from bot.playground.session import state_from_form
from bot.slack.modal import build_modal

USERS = {"U0ALICE": "alice", "U0NETBOT": "netplugin-advisor"}
CHANNELS = {"C0GENERAL": "general"}


class Tags(HTMLParser):
    """The tags and attributes an HTML fragment really contains (what a browser would build)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def names(self) -> set[str]:
        return {t for t, _ in self.tags}

    @property
    def shown(self) -> str:
        return "".join(self.text)


def md(text: str) -> str:
    return str(mrkdwn(text, USERS, CHANNELS))


# --- mrkdwn ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("*bold*", "<b>bold</b>"),
        ("_italic_", "<i>italic</i>"),
        ("~gone~", "<s>gone</s>"),
        ("`a < b`", "<code>a &lt; b</code>"),
        ("a *b* _c_ ~d~", "a <b>b</b> <i>c</i> <s>d</s>"),
        ("2*3*4", "2*3*4"),  # inside a word: not bold
        ("snake_case_name", "snake_case_name"),
        ("* not bold *", "* not bold *"),
        ("one\ntwo", "one<br>two"),
    ],
)
def test_mrkdwn_formatting(source, html):
    assert md(source) == html


def test_pre_keeps_lines_and_no_formatting():
    html = md("Verify:\n```ip route | grep *x*\nping &lt;host&gt;```")
    assert "<pre>ip route | grep *x*\nping &lt;host&gt;</pre>" in html
    assert "<b>" not in html


def test_code_shows_slack_escapes_as_characters():
    assert Tags(md("`a &amp;&amp; b &lt; c`")).shown == "a && b < c"


def test_links_with_and_without_label():
    html = md("see <https://example.com/a?x=1&amp;y=2|the docs> or <https://example.com>")
    tags = Tags(html)
    links = [a for t, a in tags.tags if t == "a"]
    assert [a["href"] for a in links] == ["https://example.com/a?x=1&y=2", "https://example.com"]
    assert all(a["rel"] == "noopener noreferrer" for a in links)
    assert tags.shown == "see the docs or https://example.com"


def test_link_url_with_underscores_is_not_italicised():
    html = md("<https://x.test/a_b_c|S1> and _it_")
    assert 'href="https://x.test/a_b_c"' in html
    assert "<i>it</i>" in html and html.count("<i>") == 1


def test_mentions_use_names():
    tags = Tags(md("hi <@U0ALICE>, see <#C0GENERAL> and <#C0OTHER|other>; <@U0NOBODY>"))
    assert tags.shown == "hi @alice, see #general and #other; @U0NOBODY"
    assert [a.get("class") for t, a in tags.tags if t == "span"] == ["mention"] * 4


def test_special_mentions_are_shown_not_linked():
    tags = Tags(md("<!channel> <!here> <!subteam^S123|@ops> <!date^1392734382^{date}|Feb 18>"))
    assert tags.shown == "@channel @here @ops Feb 18"
    assert "a" not in tags.names


def test_bullets_are_lists():
    html = md("*Why*\n• one\n• two\n   ◦ nested\n- three\nafter")
    tags = Tags(html)
    assert [t for t, _ in tags.tags].count("li") == 4
    assert html.startswith("<b>Why</b><ul><li>one</li>")
    assert '<li class="nested">nested</li>' in html
    assert html.endswith("</ul>after")


def test_slack_escapes_are_shown_as_characters():
    assert Tags(md("a &amp; b &lt;c&gt;")).shown == "a & b <c>"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<img src=x onerror=alert(1)>",
        "<javascript:alert(1)|click me>",
        "<JAVASCRIPT:alert(1)>",
        '<https://x.test/" onmouseover="alert(1)|x>',
        "*<b onclick=alert(1)>bold</b>*",
        "`<iframe src=//evil>`",
        "```</pre><script>alert(1)</script>```",
        "<@U0ALICE|<script>alert(1)</script>>",
        "<!channel> <!everyone|<b>x</b>>",
        "\x000\x00 <https://a.test|\x000\x00>",
        "\"quoted\" 'single' &#x3C;script&#x3E;",
    ],
)
def test_hostile_text_never_becomes_html(hostile):
    tags = Tags(md(hostile))
    assert tags.names <= {"a", "b", "i", "s", "code", "pre", "span", "ul", "li", "br"}
    for tag, attrs in tags.tags:
        assert set(attrs) <= {"href", "target", "rel", "class"}, (tag, attrs)
        if tag == "a":
            assert re.match(r"^(https?://|mailto:)", attrs["href"] or "", re.I)
            assert '"' not in attrs["href"]


def test_hostile_script_is_shown_as_text():
    assert "<script>alert(1)</script>" in Tags(md("&lt;script&gt;alert(1)&lt;/script&gt;")).shown
    assert "<script>" not in md("&lt;script&gt;alert(1)&lt;/script&gt;")


def test_channel_ping_is_not_a_ping_and_not_a_link():
    html = md("<!channel> please look")
    assert '<span class="mention broadcast">@channel</span>' in html


def test_plain_text_escapes_and_decodes_slack_escapes():
    assert str(plain_text("a &amp; <b>")) == "a &amp; &lt;b&gt;"
    assert Tags(str(plain_text("*not bold* &lt;x&gt;"))).shown == "*not bold* <x>"


# --- blocks ---------------------------------------------------------------------------------


def blocks_html(blocks, **kw) -> str:
    return str(render_blocks(blocks, users=USERS, channels=CHANNELS, **kw))


def test_header_section_divider_context():
    html = blocks_html(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Recommended: *Terway*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Why* <@U0ALICE>"}},
            {"type": "divider"},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "_small_"},
                    {"type": "plain_text", "text": "<plain>"},
                    {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "icon"},
                ],
            },
        ]
    )
    assert '<div class="bk-block bk-header">Recommended: *Terway*</div>' in html
    assert "<b>Why</b> <span" in html
    assert '<hr class="bk-block bk-divider">' in html
    assert "<i>small</i>" in html and "&lt;plain&gt;" in html
    assert 'src="https://x.test/i.png"' in html


def test_section_fields_and_button_accessory():
    html = blocks_html(
        [
            {
                "type": "section",
                "block_id": "b1",
                "text": {"type": "mrkdwn", "text": "text"},
                "fields": [
                    {"type": "mrkdwn", "text": "*Flannel*\nVXLAN"},
                    {"type": "plain_text", "text": "Terway"},
                ],
                "accessory": {
                    "type": "button",
                    "action_id": "more",
                    "value": "7",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "More"},
                },
            }
        ]
    )
    tags = Tags(html)
    fields = [a for t, a in tags.tags if a.get("class") == "bk-field"]
    assert len(fields) == 2
    assert "<b>Flannel</b><br>VXLAN" in html
    button = next(a for t, a in tags.tags if t == "button")
    assert button["data-action-id"] == "more" and button["data-block-id"] == "b1"
    assert "bk-button-primary" in button["class"]
    assert "7" not in (button.get("data-value") or "")  # the value stays on the server


def test_actions_buttons_styles_and_url_button():
    html = blocks_html(
        [
            {
                "type": "actions",
                "block_id": "card",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "a",
                        "text": {"type": "plain_text", "text": "A"},
                    },
                    {
                        "type": "button",
                        "action_id": "d",
                        "style": "danger",
                        "text": {"type": "plain_text", "text": "Delete"},
                    },
                    {
                        "type": "button",
                        "action_id": "u",
                        "url": "javascript:alert(1)",
                        "text": {"type": "plain_text", "text": "Open"},
                    },
                ],
            }
        ]
    )
    tags = Tags(html)
    buttons = [a for t, a in tags.tags if t == "button"]
    assert [b["data-action-id"] for b in buttons] == ["a", "d"]
    assert "bk-button-danger" in buttons[1]["class"]
    link = next(a for t, a in tags.tags if t == "a")
    assert link["href"] == ""  # a javascript: URL is dropped


def test_input_blocks_with_initial_values_and_errors():
    select_options = [
        {"text": {"type": "plain_text", "text": "One"}, "value": "1"},
        {"text": {"type": "plain_text", "text": "Two"}, "value": "2"},
    ]
    blocks = [
        {
            "type": "input",
            "block_id": "n",
            "label": {"type": "plain_text", "text": "Nodes"},
            "element": {
                "type": "number_input",
                "action_id": "x",
                "is_decimal_allowed": False,
                "min_value": "1",
                "initial_value": "12",
            },
        },
        {
            "type": "input",
            "block_id": "s",
            "optional": True,
            "label": {"type": "plain_text", "text": "Pick"},
            "hint": {"type": "plain_text", "text": "a hint"},
            "element": {
                "type": "static_select",
                "action_id": "x",
                "options": select_options,
                "initial_option": select_options[1],
            },
        },
        {
            "type": "input",
            "block_id": "r",
            "label": {"type": "plain_text", "text": "Radio"},
            "element": {
                "type": "radio_buttons",
                "action_id": "x",
                "options": select_options,
                "initial_option": select_options[0],
            },
        },
        {
            "type": "input",
            "block_id": "c",
            "label": {"type": "plain_text", "text": "Boxes"},
            "element": {
                "type": "checkboxes",
                "action_id": "x",
                "options": select_options,
                "initial_options": select_options,
            },
        },
        {
            "type": "input",
            "block_id": "t",
            "label": {"type": "plain_text", "text": "CIDR"},
            "element": {
                "type": "plain_text_input",
                "action_id": "x",
                "initial_value": '10.0.0.0/8" autofocus onfocus="alert(1)',
            },
        },
    ]
    html = blocks_html(blocks, errors={"t": "`pod-cidr` does not accept <that>"})
    tags = Tags(html)
    number = next(a for t, a in tags.tags if t == "input" and a.get("name") == "n")
    assert number["type"] == "number" and number["value"] == "12" and number["min"] == "1"
    assert '<option value="2" selected>Two</option>' in html
    radios = [a for t, a in tags.tags if t == "input" and a.get("name") == "r"]
    assert [("checked" in r) for r in radios] == [True, False]
    boxes = [a for t, a in tags.tags if t == "input" and a.get("name") == "c"]
    assert all("checked" in b for b in boxes) and len(boxes) == 2
    text = next(a for t, a in tags.tags if t == "input" and a.get("name") == "t")
    assert text["value"] == '10.0.0.0/8" autofocus onfocus="alert(1)'
    assert "onfocus" not in text
    assert "(optional)" in html and "a hint" in html
    error = next(a for t, a in tags.tags if a.get("class") == "bk-error")
    assert error["role"] == "alert"
    assert "`pod-cidr` does not accept <that>" in tags.shown
    assert html.index("bk-error") > html.index('name="t"')  # under its input
    assert html.count("bk-has-error") == 1


def test_unknown_block_is_named_not_drawn_raw():
    html = blocks_html([{"type": "<script>", "text": "x"}])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_modal_round_trip_keeps_what_was_typed():
    """The real questionnaire: drawn, filled as a form, read back as view.state.values, and
    drawn again with the typed values and the error under its input."""
    view = build_modal(default_knowledge(), metadata={"channel": "C0GENERAL"})
    view |= {"id": "V1", "hash": "h1"}
    form = {
        "q:nodes": ["500"],
        "q:location": ["ens", "idc"],
        "q:pod-cidr": ["10.0.0.0/33"],
        "q:pod-ip-access": ["yes"],
    }
    values = state_from_form(view, form)
    assert values["q:nodes"]["answer"] == {"type": "number_input", "value": "500"}
    locations = values["q:location"]["answer"]["selected_options"]
    assert [o["value"] for o in locations] == ["ens", "idc"]
    assert values["q:pod-ip-access"]["answer"]["selected_option"]["value"] == "yes"
    assert values["q:service-cidr"]["answer"] == {"type": "plain_text_input", "value": None}

    html = str(render_view(view, values=values, errors={"q:pod-cidr": "bad CIDR"}))
    tags = Tags(html)
    pod = next(a for t, a in tags.tags if t == "input" and a.get("name") == "q:pod-cidr")
    assert pod["value"] == "10.0.0.0/33"
    checked = [a["value"] for t, a in tags.tags if a.get("name") == "q:location" and "checked" in a]
    assert checked == ["ens", "idc"]
    form_attrs = next(a for t, a in tags.tags if t == "form")
    assert form_attrs["data-view-id"] == "V1"
    assert "Plan cluster network" in tags.shown and "Recommend" in tags.shown
    assert html.index("bad CIDR") > html.index('name="q:pod-cidr"')
    assert with_values(view, {}) == view
