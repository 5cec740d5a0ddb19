"""The real stack the scenario tests talk to: the fake Slack Web API, a Bolt App built by
build_app whose WebClient points at it, bot/runtime/server.py under uvicorn on 127.0.0.1, and a
driver sending signed requests. One way to start it, whatever the database or client."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from waiting import settle

from bot.decisions import DecisionLog
from bot.fakeslack import FakeSlack, SlackDriver
from bot.runtime.app import build_app, retry_handlers
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

    def stop(self) -> None:
        self.server.stop()
        self.fake.stop()
        self.log.close()


def start_stack(db: str = ":memory:", *, client_timeout: float | None = None) -> Stack:
    """The stack on `db`; `client_timeout`: the app's WebClient gives up on a call after it."""
    fake = FakeSlack().start()
    settings = Settings(
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        netplugin_db=db,
    )
    client = None
    if client_timeout is not None:
        client = WebClient(
            token=fake.bot_token,
            base_url=fake.api_url,
            timeout=client_timeout,
            retry_handlers=retry_handlers(),
        )
    log = DecisionLog(db)
    app = build_app(settings, log=log, client=client)
    server = serve_in_thread(create_web_app(app))
    driver = SlackDriver(server.url + ids.EVENTS_PATH, SIGNING_SECRET, fake)
    return Stack(fake, log, app, server, driver)


def post_card(s: Stack, text: str = "400 ENS nodes, need NLB, no BGP", channel: str = "C0GENERAL"):
    """Ask in `channel` and return the card once the app is done with it (a clean call record)."""
    s.driver.send_slash(text, channel=channel)
    post = s.fake.wait_for("chat.postMessage")
    settle(s)
    s.fake.reset()
    return s.workspace.channels[channel].message(post.response["ts"])
