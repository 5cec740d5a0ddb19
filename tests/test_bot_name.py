"""The bot has one name wherever people see it (issue 12): the Slack app and its bot user (the
manifest), the playground, the README and docs. The slash command stays /netplugin."""

from __future__ import annotations

import html
import re
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.cli.manifest import MODES, render_manifest
from bot.fakeslack.workspace import BOT_NAME
from bot.playground import Playground
from bot.render.messages import say

ROOT = Path(__file__).resolve().parent.parent
NAME = "NetPlugin Advisor"
# Where people read how to reach the bot: every `/invite @…` and `@…` mention must name it so.
PROSE = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "templates" / "messages.yaml",
]


def test_the_name_is_said_once_in_the_templates() -> None:
    assert say("bot-name") == NAME
    assert BOT_NAME == NAME  # the fake Slack's bot user, outside the playground too


@pytest.mark.parametrize("mode", MODES)
def test_the_manifest_names_the_app_and_its_bot_user_so(mode: str) -> None:
    manifest = yaml.safe_load(render_manifest(mode, "https://bot.example.com"))
    assert manifest["display_information"]["name"] == NAME
    # What a mention shows and what people type after @: the bot user's display name.
    assert manifest["features"]["bot_user"]["display_name"] == NAME
    assert manifest["display_information"]["long_description"].startswith(NAME)
    assert manifest["features"]["slash_commands"][0]["command"] == "/netplugin"


def test_the_readme_and_docs_call_it_so() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[0] == f"# {NAME}"
    invites = []
    for path in PROSE:
        text = path.read_text(encoding="utf-8")
        for found in re.finditer(r"/invite @([\w-]+(?: [A-Z]\w*)?)", text):
            invites.append((path.name, found.group(1)))
        others = re.findall(r"(?<![\w/])@netplugin[\w-]*", text.replace(f"@{NAME}", ""), re.I)
        assert not others, f"{path.name} names the bot {others}, not @{NAME}"
    assert invites and {name for _, name in invites} == {NAME}, invites


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    with Playground(db=tmp_path_factory.mktemp("pg") / "playground.db", port=0) as playground:
        yield playground


def page(pg, path: str) -> str:
    with urllib.request.urlopen(pg.url + path, timeout=10) as response:
        return html.unescape(response.read().decode())


def test_the_playground_calls_it_so(pg) -> None:
    ws = pg.workspace
    assert ws.bot_name == NAME
    ws.post("C0GENERAL", text="a message from the bot", bot=True)
    ws.post("C0GENERAL", text="hello <@U0NETBOT>", user="U0ALICE")
    general = page(pg, "/c/C0GENERAL")
    assert f"· {NAME} playground</title>" in general
    assert f'<span class="msg-author">{NAME}</span>' in general  # the bot's messages
    assert f"@{NAME}</span>" in general  # a mention of the bot
    assert f"{NAME} is not in this channel" in page(pg, "/c/C0RANDOM")
    assert "netplugin-advisor" not in general.lower()
    # Typed as it is shown, a mention reaches the app as Slack's client sends it.
    assert pg.encode(f"@{NAME} 300 nodes") == "<@U0NETBOT> 300 nodes"
    assert pg.encode("@netplugin-advisor hi") == "<@U0NETBOT> hi"
