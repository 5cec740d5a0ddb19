"""The local playground: try the bot in a browser, without a Slack workspace.

    with Playground(db="playground.db", port=3000) as pg:   # all on 127.0.0.1
        print(pg.url)

- session.py: the stack (bot/fakeslack's Web API and driver, the real Bolt app and HTTP
  endpoint, all on 127.0.0.1) and what a person on the page does, as Slack's payloads.
- web.py: the page (Starlette) over a stack, drawn server-side from templates/playground/.
- render.py and mrkdwn.py: Block Kit and mrkdwn as HTML, escaped first.
- `Playground` (here): the stack with its page on `port`.
"""

from __future__ import annotations

from bot.playground.session import DEFAULT_DB, Stack
from bot.playground.web import create_page_app
from bot.runtime.server import serve_in_thread


class Playground(Stack):
    """The stack, and the page on 127.0.0.1:`port` once it is up."""

    def serve_page(self) -> None:
        self.page = serve_in_thread(create_page_app(self), self.host, self.port)


__all__ = ["DEFAULT_DB", "Playground"]
