"""The Slack app manifests (`netplugin manifest`) against bot/slack/ids.py and Slack's rules.

The manifest is generated from ids.py, so the command, the shortcut, the events and the scopes
Slack is told about are the ones the listeners are wired to. These tests pin that down, and check
ids.py's own scope tables against the scopes Slack documents for each event and Web API method,
so neither side can drift: a new event or method in ids.py without its scope fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.cli.manifest import MODES, ManifestError, manifests_dir, render_manifest, request_url
from bot.slack import ids

ROOT = Path(__file__).resolve().parent.parent
URL = "https://netplugin.example.com"

# The bot scope Slack requires for each event subscription (Events API reference).
EVENT_SCOPE = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "app_home_opened": None,
}
# The bot scopes Slack requires for each Web API method (Web API reference): every group must be
# met by one of its scopes. An empty tuple: the method needs no scope.
METHOD_SCOPES = {
    "auth.test": (),
    "chat.postMessage": ({"chat:write"},),
    "chat.postEphemeral": ({"chat:write"},),
    "chat.update": ({"chat:write"},),
    "chat.delete": ({"chat:write"},),
    "chat.getPermalink": (),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "conversations.open": ({"im:write", "mpim:write", "channels:manage", "groups:write"},),
    "conversations.info": ({"channels:read", "groups:read", "im:read", "mpim:read"},),
    "conversations.members": ({"channels:read", "groups:read", "im:read", "mpim:read"},),
    "conversations.replies": (
        {"channels:history", "groups:history", "im:history", "mpim:history"},
    ),
    "conversations.history": (
        {"channels:history", "groups:history", "im:history", "mpim:history"},
    ),
    "users.info": ({"users:read"},),
    "reactions.add": ({"reactions:write"},),
}
# Top-level and per-section keys of a v1 app manifest, as Slack documents them.
MANIFEST_KEYS = {"_metadata", "display_information", "features", "oauth_config", "settings"}
SETTINGS_KEYS = {
    "allowed_ip_address_ranges",
    "event_subscriptions",
    "interactivity",
    "org_deploy_enabled",
    "socket_mode_enabled",
    "token_rotation_enabled",
    "function_runtime",
}


def load(mode: str) -> dict:
    return yaml.safe_load(render_manifest(mode, URL if mode == "http" else None))


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


@pytest.fixture
def manifest(mode):
    return load(mode)


def test_command_and_shortcut_are_the_ones_the_listeners_use(manifest):
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == ids.COMMAND
    assert command["description"] == ids.COMMAND_DESCRIPTION
    assert command["usage_hint"] == ids.COMMAND_USAGE_HINT
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "global"
    assert shortcut["callback_id"] == ids.PLAN_SHORTCUT
    assert shortcut["name"] == ids.PLAN_SHORTCUT_NAME == "Plan cluster network"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True  # buttons, the modal


def test_events_are_exactly_the_ones_listened_to(manifest):
    subscriptions = manifest["settings"].get("event_subscriptions", {})
    assert sorted(subscriptions.get("bot_events", [])) == sorted(ids.EVENTS)
    assert "user_events" not in subscriptions


def _needed_scopes() -> tuple[set[str], list[set[str]]]:
    """(scopes that are required outright, groups of which one scope is required)."""
    required = {"commands"}  # the slash command and the global shortcut
    groups: list[set[str]] = []
    for event in ids.EVENTS:
        assert event in EVENT_SCOPE, f"{event}: add Slack's documented scope to EVENT_SCOPE"
        if EVENT_SCOPE[event]:
            required.add(EVENT_SCOPE[event])
    for method in ids.METHOD_SCOPES:
        assert method in METHOD_SCOPES, f"{method}: add Slack's documented scopes to METHOD_SCOPES"
        for group in METHOD_SCOPES[method]:
            (required.update if len(group) == 1 else groups.append)(set(group))
    return required, groups


def test_scopes_are_what_slack_requires_and_nothing_more(manifest):
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "a bot token only: no user scopes"
    granted = set(scopes["bot"])
    assert len(granted) == len(scopes["bot"]), "duplicate scopes"
    assert granted == set(ids.BOT_SCOPES)

    required, groups = _needed_scopes()
    assert required <= granted, f"missing: {sorted(required - granted)}"
    for group in groups:
        assert group & granted, f"one of {sorted(group)} is needed"
    explained = required | {s for group in groups for s in group}
    assert granted <= explained, f"unexplained scopes: {sorted(granted - explained)}"


def test_ids_scope_tables_match_slack_documentation():
    for event in ids.EVENTS:
        documented = EVENT_SCOPE[event]
        listed = set(ids.EVENT_SCOPES.get(event, ()))
        assert listed == ({documented} if documented else set()), event
    for method, listed in ids.METHOD_SCOPES.items():
        for group in METHOD_SCOPES[method]:
            assert group & set(listed), f"ids.METHOD_SCOPES[{method!r}] lacks one of {group}"


def test_socket_mode_manifest_calls_no_url():
    manifest = load("socket")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert "request_url" not in manifest["settings"].get("event_subscriptions", {})
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "https://" not in yaml.safe_dump(manifest)


def test_http_manifest_sends_everything_to_the_events_path():
    manifest = load("http")
    settings = manifest["settings"]
    expected = URL + ids.EVENTS_PATH
    assert settings["socket_mode_enabled"] is False
    assert manifest["features"]["slash_commands"][0]["url"] == expected
    assert settings["interactivity"]["request_url"] == expected
    if ids.EVENTS:
        assert settings["event_subscriptions"]["request_url"] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://bot.example.com", "https://bot.example.com/slack/events"),
        ("https://bot.example.com/", "https://bot.example.com/slack/events"),
        ("https://bot.example.com/slack/events", "https://bot.example.com/slack/events"),
        ("https://example.com/netplugin/", "https://example.com/netplugin/slack/events"),
        ("https://bot.example.com:8443", "https://bot.example.com:8443/slack/events"),
    ],
)
def test_request_url_is_the_public_url_plus_the_events_path(given, expected):
    assert ids.EVENTS_PATH == "/slack/events"
    assert request_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["http://bot.example.com", "bot.example.com", "https://", "https://x/?a=1"]
)
def test_request_url_refuses_what_slack_would_refuse(bad):
    with pytest.raises(ManifestError):
        request_url(bad)


def _length(value: str, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value) <= high


def test_manifest_keeps_within_slack_limits(manifest):
    assert set(manifest) <= MANIFEST_KEYS
    assert set(manifest["settings"]) <= SETTINGS_KEYS
    info = manifest["display_information"]
    assert _length(info["name"], 1, 35)
    assert _length(info["description"], 1, 140)
    assert _length(info["long_description"], 175, 4000)
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])
    features = manifest["features"]
    assert _length(features["bot_user"]["display_name"], 1, 80)
    for command in features["slash_commands"]:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
        assert _length(command["description"], 1, 2000)
        assert _length(command["usage_hint"], 1, 1000)
        assert isinstance(command["should_escape"], bool)
    for shortcut in features["shortcuts"]:
        assert _length(shortcut["name"], 1, 24)
        assert _length(shortcut["description"], 1, 150)
        assert _length(shortcut["callback_id"], 1, 255)
    assert all(_length(s, 1, 50) for s in manifest["oauth_config"]["scopes"]["bot"])
    events = manifest["settings"].get("event_subscriptions", {}).get("bot_events", [])
    assert len(events) == len(set(events)) and all(_length(e, 1, 50) for e in events)


def test_dm_tab_is_writable_only_when_the_bot_reads_dms(manifest):
    app_home = manifest["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True  # the shortcut's card arrives in the DM
    assert app_home["messages_tab_read_only_enabled"] is ("message.im" not in ids.EVENTS)


def test_manifest_is_generated_from_ids_not_copied(monkeypatch):
    monkeypatch.setattr(ids, "COMMAND", "/netplugin-staging")
    monkeypatch.setattr(ids, "PLAN_SHORTCUT", "staging-plan")
    monkeypatch.setattr(ids, "EVENTS", (*ids.EVENTS, "message.im"))
    monkeypatch.setattr(ids, "BOT_SCOPES", (*ids.BOT_SCOPES, "im:history"))
    manifest = load("socket")
    assert manifest["features"]["slash_commands"][0]["command"] == "/netplugin-staging"
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "staging-plan"
    assert "message.im" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "im:history" in manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_templates_spell_out_no_slack_id():
    text = "".join(p.read_text() for p in sorted(manifests_dir().glob("*")) if p.is_file())
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)  # Jinja comments may name them
    for value in (ids.COMMAND, ids.PLAN_SHORTCUT, *ids.EVENTS, *ids.BOT_SCOPES, ids.EVENTS_PATH):
        pattern = rf"(?<![\w:./-]){re.escape(value)}(?![\w:./-])"
        assert not re.search(pattern, text), f"{value!r} is written in a template: use ids.py"


def test_wheel_ships_the_templates_where_the_command_looks():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    force = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force["deploy/slack"] == "bot/_data/slack-manifests"
    assert manifests_dir() == ROOT / "deploy" / "slack"  # in a source checkout


# --- the command ----------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["manifest", *args])


@pytest.mark.parametrize("mode", MODES)
def test_command_prints_the_manifest(mode):
    args = ["--mode", mode] + (["--url", URL] if mode == "http" else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.output == render_manifest(mode, URL if mode == "http" else None)
    assert yaml.safe_load(result.output)["settings"]["socket_mode_enabled"] is (mode == "socket")


def test_socket_is_the_default_mode():
    assert run().output == render_manifest("socket")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--mode", "http"], "--url"),
        (["--mode", "http", "--url", "http://bot.example.com"], "https://"),
        (["--mode", "socket", "--url", URL], "--url"),
        (["--mode", "ftp"], "--mode"),
    ],
)
def test_command_refuses_bad_arguments_with_exit_2(args, says):
    result = run(*args)
    assert result.exit_code == 2
    assert says in result.output
