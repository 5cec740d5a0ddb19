"""The local playground: try the bot in a browser, without a Slack workspace.

    with Playground(db="playground.db", port=3000) as pg:   # all on 127.0.0.1
        print(pg.url)
    Playground(port=3000, page_host="0.0.0.0")              # the page on every address (a
                                                            # container); the rest stays on
                                                            # 127.0.0.1

- session.py: the stack (bot/fakeslack's Web API and driver, the real Bolt app and HTTP
  endpoint, all on 127.0.0.1) and what a person on the page does, as Slack's payloads.
- web.py: the page (Starlette) over a stack, drawn server-side from templates/playground/.
- render.py and mrkdwn.py: Block Kit and mrkdwn as HTML, escaped first.
- `Playground` (here): the stack with its page on `page_host`:`port`.
- run.py: `netplugin serve` in playground mode, until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.playground.session import DEFAULT_DB, HOST, Stack
from bot.playground.web import create_page_app
from bot.runtime.server import serve_in_thread


@dataclass
class Playground(Stack):
    """The stack, and the page on `page_host`:`port` once it is up. Only the page follows
    `page_host`: the fake Slack and the app's signed endpoint stay on 127.0.0.1."""

    page_host: str = HOST

    def serve_page(self) -> None:
        self.page = serve_in_thread(
            create_page_app(self, bound=self.page_host), self.page_host, self.port
        )


__all__ = ["DEFAULT_DB", "HOST", "Playground"]
