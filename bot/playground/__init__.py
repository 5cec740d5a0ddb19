"""The local playground: try the bot in a browser, without a Slack workspace.

- `Playground` (session.py): bot/fakeslack's Web API and driver, the real Bolt app and HTTP
  endpoint, and the page, all on 127.0.0.1; what the page does, as Slack's payloads.
- web.py: the page (Starlette), drawn server-side from templates/playground/.
- render.py and mrkdwn.py: Block Kit and mrkdwn as HTML, escaped first.
"""

from bot.playground.session import DEFAULT_DB, Playground

__all__ = ["DEFAULT_DB", "Playground"]
