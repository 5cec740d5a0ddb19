"""The ack of a /netplugin question, on the server's event loop: kept, answered, then Bolt.

    quick = QuickAck(app)                            # app: build_app's ObservedApp
    response = await quick.answer(request, started)  # a Response, or None: dispatch as usual

Every other request to /slack/events goes to Bolt's dispatch in a worker thread, which acks.
A question is the request people send in bursts, and its ack does one thing: keep the command
in the decision log (bot/decisions/inbox.py) so that nothing acknowledged is lost. Here that
is done without a thread of its own: the loop awaits the inbox's group commit, answers Slack,
and hands the request to Bolt's dispatch on the lazy executor, where it runs the listener's
work as before. At 20 simultaneous questions on 2 cores, each hand-off to a worker thread
and back (the GIL passing between the loop and up to 20 busy threads) cost more than the ack
itself: bench/ack_latency.py.

What Bolt's chain no longer does before this ack, and why it is safe: the request signature is
checked by the server before anything parses the body (bot/runtime/server.py), and its envelope
by bot/runtime/admission.py; authorization is one result cached at start-up (CachedAuthorize),
the same for every request; SSL checks, URL verification and self-event filtering concern other
requests, which never take this path. Bolt still runs all of it, in the deferred dispatch,
before the listener; the listener's ack there is not sent (Slack has had its 200), and its
`keep_question` sees the request already kept (`KEPT`). When the log cannot keep the request,
nothing is answered here: Bolt's dispatch answers in the ack, saying nothing was recorded.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt import BoltRequest
from starlette.responses import Response

from bot.decisions.database import LogUnavailable
from bot.decisions.inbox import ACCEPT_TIMEOUT
from bot.runtime.tracking import ObservedApp, RequestRecord, current_request
from bot.slack import ids
from bot.slack.commands.netplugin import KEPT, question_to_keep

log = logging.getLogger(__name__)

# The headers of what Bolt's ack() with no arguments answers: 200, an empty body.
ACK_HEADERS = {"content-type": "text/plain;charset=utf-8"}


class QuickAck:
    def __init__(self, app: ObservedApp):
        self.app = app

    def _question(self, request: BoltRequest) -> tuple[str, dict[str, Any]] | None:
        """(key, fields) of a plain /netplugin question this path may answer, or None."""
        body = request.body
        if (
            request.mode != "http"
            or body.get("command") != ids.COMMAND
            or body.get("ssl_check")  # Bolt answers those itself, running no listener
            or not body.get("response_url")  # answered in Bolt's ack: a reply needs it
        ):
            return None
        return question_to_keep(body)

    async def answer(self, request: BoltRequest, started: float) -> Response | None:
        """Keep the question and answer Slack; None when Bolt's dispatch must answer instead
        (not a question, or the log could not keep it)."""
        question = self._question(request)
        if question is None:
            return None
        key, fields = question
        app = self.app
        with app.gate:  # lazy work waits while acks are being made
            kept = app.advisor.log.inbox.submit(key, "slash", fields)
            try:
                # The inbox ends a write at its deadline; this bounds a stuck writer too.
                await asyncio.wait_for(asyncio.wrap_future(kept), ACCEPT_TIMEOUT + 0.5)
            except LogUnavailable as exc:
                request.context[KEPT] = exc  # Bolt's ack says so, without trying again
                return None
            except TimeoutError:
                return None  # keep_question tries again: INSERT OR IGNORE, harmless
            request.context[KEPT] = True
            record = RequestRecord("command", ids.COMMAND, app.obs.finish, started)
            token = current_request.set(record)  # the dispatch is this request's lazy work
            try:
                app.executor.submit(app.dispatch_answered, request)
            except RuntimeError:  # shutting down: kept, so the next start answers it
                log.warning("a question was kept but not answered: the next start answers it")
            finally:
                current_request.reset(token)
            record.acked(200)
        return Response(content=b"", status_code=200, headers=ACK_HEADERS)
