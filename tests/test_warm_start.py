"""The first card after a start does not wait for Jinja: the app compiles the message catalog
and every Slack template when it is built (about 0.2 s here, once per process)."""

from __future__ import annotations

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack
from bot.render import environment, messages
from bot.runtime.app import build_app
from bot.settings import Settings


def compiled(env) -> set[str]:
    return {name for _loader, name in env.cache}


def test_the_app_compiles_its_templates_before_the_first_request() -> None:
    environment._environment.cache_clear()
    messages._catalog.cache_clear()
    fake = FakeSlack().start()
    try:
        settings = Settings(
            slack_bot_token=fake.bot_token,
            slack_signing_secret="warm-start",
            slack_api_url=fake.api_url,
        )
        app = build_app(settings, log=DecisionLog(":memory:"))
        assert messages._catalog.cache_info().currsize == 1
        slack = environment.environment("slack")
        names = slack.list_templates(filter_func=lambda name: name.startswith("slack/"))
        assert {"slack/card.json.j2", "slack/notice.json.j2"} <= compiled(slack) == set(names)
        app.executor.drain(5)
    finally:
        fake.stop()
