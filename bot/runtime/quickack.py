"""The ack of a /netplugin question, on the server's event loop: kept, answered, then Bolt.

    quick = QuickAck(app)                            # app: build_app's ObservedApp
    response = await quick.answer(request, started)  # a Response, or None: dispatch as usual

Every other request to /slack/events goes to Bolt's dispatch in a worker thread, which acks.
A question is the request people send in bursts, and its ack does one thing: keep the command
in the decision log (bot/decisions/inbox.py) so that nothing acknowledged is lost. Here that
is done without a thread of its own: the loop commits the question itself
(`RequestInbox.keep_now`, a few tens of microseconds), if the log is free that instant;
otherwise the inbox's writer thread commits it, with the others waiting, and the loop awaits
that. It answers Slack, and holds the request for Bolt's dispatch on the lazy executor until
the acks are quiet (AckFirst); there the listener's work runs as before. At 20 simultaneous
questions on 2 cores, every hand-off between threads (the GIL passing between the loop, the
writer, and workers woken only to wait for quiet) cost more than the ack's own work: the
commit's round trip through the writer thread alone was most of an ack's time on the server
(docs/slack.md, Performance; bench/ack_latency.py for the latency it gave).

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
from functools import partial
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
        self._release: asyncio.TimerHandle | None = None

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
            try:
                kept = app.advisor.log.inbox.keep_now(key, "slash", fields)
                if not kept.done():  # the log was busy: the inbox's writer has it
                    # The inbox ends a write at its deadline; this bounds a stuck writer too.
                    async with asyncio.timeout(ACCEPT_TIMEOUT + 0.5):
                        await asyncio.wrap_future(kept)
                kept.result()
            except LogUnavailable as exc:
                request.context[KEPT] = exc  # Bolt's ack says so, without trying again
                return None
            except TimeoutError:
                return None  # keep_question tries again: INSERT OR IGNORE, harmless
            request.context[KEPT] = True
            record = RequestRecord("command", ids.COMMAND, app.obs.finish, started)
            token = current_request.set(record)  # the dispatch is this request's lazy work
            try:
                app.executor.hold(partial(app.dispatch_answered, request), dropped=_unanswered)
            finally:
                current_request.reset(token)
            self._release_when_quiet()
            record.acked(200)
        return Response(content=b"", status_code=200, headers=ACK_HEADERS)

    def _release_when_quiet(self, latest: float | None = None) -> None:
        """Start the dispatches held once the acks have been quiet for the gate's `quiet`, or
        its `max_wait` after the first was held, so that work never starves (AckFirst)."""
        gate = self.app.gate
        loop = asyncio.get_running_loop()
        if latest is None:  # a dispatch was just held
            if self._release is not None:
                return
            latest = loop.time() + gate.max_wait
        calm = gate.calm_in()
        if calm > 0 and loop.time() < latest:
            self._release = loop.call_later(calm, self._release_when_quiet, latest)
            return
        self._release = None
        self.app.executor.release()


def _unanswered() -> None:
    log.warning("a question was kept but not answered: the next start answers it")
