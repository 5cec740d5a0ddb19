"""A fake Slack for tests, benchmarks and the local playground.

- `FakeSlack` (api.py): a Web API subset on 127.0.0.1 over an in-memory `Workspace`, recording
  every call, with injectable failures, and response_url endpoints.
- `SlackDriver` (driver.py): Slack's real request payloads (slash commands, block actions,
  view submissions, shortcuts, events), signed like Slack signs them, sent to the app.

Socket Mode, which only the tests speak to it, is tests/fakeslack_socket.py.
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
