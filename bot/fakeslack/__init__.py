"""A fake Slack for tests, benchmarks and (later) a local playground.

- `FakeSlack` (api.py): a Web API subset on 127.0.0.1 over an in-memory `Workspace`, recording
  every call, with injectable failures, and response_url endpoints.
- `SlackDriver` (driver.py): Slack's real request payloads (slash commands, block actions,
  view submissions, shortcuts, events), signed like Slack signs them, sent to the app.
- Socket Mode (socket_mode.py, imported on first use): `FakeSlack(socket_mode=True)` answers
  `apps.connections.open` and serves the websocket; `fake.send_envelope`, `fake.wait_for_ack`.
"""

from bot.fakeslack.api import Call, FakeSlack
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.workspace import Channel, Ephemeral, Message, OpenView, User, Workspace

__all__ = [
    "Call",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "OpenView",
    "SlackDriver",
    "User",
    "Workspace",
]
