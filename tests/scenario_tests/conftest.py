"""The real stack: the fake Slack Web API, a Bolt App built by build_app whose WebClient points
at it, bot/runtime/server.py under uvicorn on 127.0.0.1, and a driver sending signed requests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from slack_bolt import App

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.runtime.app import build_app
from bot.runtime.server import RunningServer, create_web_app, serve_in_thread
from bot.settings import Settings
from bot.slack import ids

SIGNING_SECRET = "test-signing-secret"


@dataclass
class Stack:
    fake: FakeSlack
    log: DecisionLog
    app: App
    server: RunningServer
    driver: SlackDriver

    @property
    def workspace(self):
        return self.fake.workspace


@pytest.fixture(scope="module")
def stack():
    fake = FakeSlack().start()
    settings = Settings(
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        netplugin_db=":memory:",
    )
    log = DecisionLog(":memory:")
    app = build_app(settings, log=log)
    server = serve_in_thread(create_web_app(app))
    driver = SlackDriver(server.url + ids.EVENTS_PATH, SIGNING_SECRET, fake)
    yield Stack(fake, log, app, server, driver)
    server.stop()
    fake.stop()
    log.close()


@pytest.fixture
def s(stack: Stack) -> Stack:
    """The module's stack with a clean call record (the workspace and log keep their state)."""
    stack.fake.reset()
    return stack
