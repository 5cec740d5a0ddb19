"""`checklist <plugin>` takes the same words in Slack and in the terminal (issue 12): one parser,
bot/core/plugin_words.py, behind `/netplugin checklist` and `netplugin checklist`."""

from __future__ import annotations

import json

import pytest

from bot.core.plugin_words import named_plugin

# What people type after `checklist`, and the plugin they mean.
WORDS = {
    "terway": "terway-edge",
    "Terway": "terway-edge",
    "terway-edge": "terway-edge",
    "Terway Edge": "terway-edge",
    "flannel": "flannel",
    "FLANNEL": "flannel",
    "Flannel (VXLAN)": "flannel",
}
TITLES = {"terway-edge": "Connectivity checklist: Terway Edge", "flannel": "(VXLAN)"}
ITEM = {"terway-edge": "BGP on the edge gateway", "flannel": "UDP 8472 between nodes"}


@pytest.mark.parametrize("words", list(WORDS))
def test_the_terminal_takes_the_words_the_slash_command_takes(words, cli, kb) -> None:
    assert named_plugin(words, kb) == WORDS[words]
    result = cli("checklist", *words.split())
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert TITLES[WORDS[words]] in out
    assert ITEM[WORDS[words]] in out


@pytest.mark.parametrize("words", ["terway", "Terway Edge", "Flannel (VXLAN)"])
def test_the_slash_command_takes_the_same_words(words, s) -> None:
    s.driver.send_slash(f"checklist {words}", user="U0BOB")
    call = s.fake.wait_for("response_url")
    sent = json.dumps(call.params)
    assert "not a plugin I know" not in sent
    assert {"terway-edge": "show bgp summary", "flannel": "dstport 8472"}[WORDS[words]] in sent


def test_a_plugin_nobody_knows_is_refused_in_both(cli, kb) -> None:
    assert named_plugin("calico", kb) is None
    result = cli("checklist", "calico")
    assert result.exit_code == 2
    assert "`calico` is not a plugin I know" in result.output
    assert "netplugin checklist terway-edge" in result.output
