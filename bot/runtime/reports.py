"""POST /preflight/report: what `netplugin preflight check --decision ID --report URL --token T`
measured on a host, received by the bot (issue 15).

    routes = report_routes(bolt_app)   # on the HTTP server (server.py) and, in Socket Mode, on
                                       # the health server (health.py): one handler for both

The body is read under MAX_REPORT and READ_SECONDS (413, 408), parsed as JSON into
bot.core.preflight.Report (400 naming the fields), then checked and recorded in one transaction
(bot/decisions/preflight.py): no such decision or not its token 403 (the same answer for both:
nobody without a decision's token learns whether it exists), sent too long ago or ahead of the
bot's clock 403, no UTC offset or an item that is not on the checklist 400, a nonce received
before 409, the log unavailable 503. Taken, it is said in the decision's thread on the channel's
lane (bot/slack/reports.py), after this answer. Every answer is JSON: {"ok": true, "message":
words, "posted": bool, "decision": id, "results": n} or {"ok": false, "error": words}, the
words from messages.yaml.

One log line per request (surface `preflight`), one more for a refusal with its reason: never
the body, never the token.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import anyio.to_thread
from pydantic import ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.preflight import Report
from bot.decisions.database import LogUnavailable
from bot.decisions.preflight import ReportRefused, receive
from bot.render.messages import say
from bot.runtime.bodies import READ_SECONDS, TooLarge, read_capped
from bot.slack import ids
from bot.slack.reports import post_report

log = logging.getLogger(__name__)

MAX_REPORT = 256_000  # bytes: a check of a few peers sends a few KB; 200 results fit
SHOWN_ERRORS = 5  # fields named in a 400; the rest are counted
STATUS = {
    "report-refused": 403,
    "report-stale": 403,
    "report-future": 403,
    "report-no-offset": 400,
    "report-unknown-items": 400,
    "report-replayed": 409,
}


def _field_errors(exc: ValidationError) -> dict[str, Any]:
    """The fields a body got wrong and what is wrong with each, never the values it gave."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    shown = [
        {"field": ".".join(str(part) for part in e["loc"]), "problem": e["msg"]}
        for e in errors[:SHOWN_ERRORS]
    ]
    return {"errors": shown, "more": max(len(errors) - SHOWN_ERRORS, 0)}


def report_routes(bolt_app: Any, *, max_body: int = MAX_REPORT) -> list[Route]:
    """The preflight report endpoint for an app built by bot.runtime.app.build_app."""
    advisor = bolt_app.advisor
    client = bolt_app.bot_client
    obs = bolt_app.obs
    path = ids.PREFLIGHT_REPORT_PATH

    def answer(
        status: int,
        started: float,
        *,
        code: str | None = None,
        about: int | None = None,
        close: bool = False,
        **body: Any,
    ) -> Response:
        if code is not None:
            body = {"ok": False, "error": say(code, **body)}
            log.info(
                "preflight report refused",
                extra={"reason": code, "status": status, "decision_id": about},
            )
        headers = {"connection": "close"} if close else None
        response = JSONResponse(body, status_code=status, headers=headers)
        obs.http_request("preflight", path, status, started)
        return response

    def take(report: Report) -> dict[str, Any]:
        received = receive(advisor.log, advisor.kb, report)
        posted = post_report(advisor, client, received)
        return {"decision": received.decision.id, "results": len(received.verifications),
                "posted": posted}  # fmt: skip

    async def preflight_report(request: Request) -> Response:
        started = time.perf_counter()
        try:
            raw = await read_capped(request, max_body, READ_SECONDS)
        except TooLarge:
            return answer(413, started, code="report-too-large", limit=max_body, close=True)
        except TimeoutError:
            return answer(408, started, code="report-timeout", seconds=READ_SECONDS, close=True)
        except ClientDisconnect:
            return answer(400, started, code="report-incomplete", close=True)
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return answer(400, started, code="report-not-json", problem="not UTF-8")
        except json.JSONDecodeError as exc:
            return answer(400, started, code="report-not-json", problem=exc.msg)
        except RecursionError:
            return answer(400, started, code="report-not-json", problem="nested too deep")
        try:
            report = Report.model_validate(data)
        except ValidationError as exc:
            return answer(400, started, code="report-invalid", **_field_errors(exc))
        try:
            taken = await anyio.to_thread.run_sync(take, report)
        except ReportRefused as exc:
            status = STATUS[exc.code]
            return answer(status, started, code=exc.code, about=report.decision, **exc.params)
        except LogUnavailable:
            return answer(503, started, code="report-log-down", about=report.decision)
        log.info("preflight report taken", extra={"decision_id": taken["decision"]})
        return answer(200, started, ok=True, message=say("report-taken", **taken), **taken)

    return [Route(path, preflight_report, methods=["POST"])]
