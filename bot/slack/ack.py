"""How every listener answers Slack: ack in the request thread, then work on the executor.

Slack wants its acknowledgement within 3 seconds, and people wait for it, so a listener acks
first (`process_before_response=True`, see bot/runtime/app.py) and does the slow part (render,
post, log) afterwards on the app's executor. `after_ack` builds that listener. It does what a
Bolt lazy listener does, without Bolt's lazy machinery, which deep-copies the whole request
(its WebClient, its context) in the request thread and dispatches it a second time: a third of
the time of an ack (docs/slack.md, "Performance"). Over HTTP, a /netplugin question has been
kept and answered by the server before its listener runs (bot/runtime/quickack.py): the ack
there goes nowhere, the work runs as here.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack

from bot.render.messages import say
from bot.slack.cards import notice, send_ephemeral
from bot.slack.deps import Advisor, advisor_of

log = logging.getLogger(__name__)


def ack_at_once(ack: Ack) -> None:
    ack()


def _names(fn: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(fn).parameters)


def after_ack(
    work: Callable[..., None], *, ack: Callable[..., None] = ack_at_once
) -> Callable[..., None]:
    """The listener for one Slack id: `ack` (which must call ack()) runs in the request thread,
    then `work` runs on the app's executor. Each receives the Bolt arguments it names (body,
    action, view, event, command, client, respond, context, logger, ...). An `ack` that returns
    False has answered the request in its ack (the decision log is down, the payload lacks what
    the work needs): no work follows."""
    ack_names, work_names = _names(ack), _names(work)

    def listener(
        ack: Ack,
        body: dict[str, Any],
        payload: dict[str, Any],
        action: dict[str, Any] | None,
        view: dict[str, Any] | None,
        event: dict[str, Any] | None,
        command: dict[str, Any] | None,
        shortcut: dict[str, Any] | None,
        client: Any,
        respond: Any,
        context: Any,
        logger: Any,
    ) -> None:
        given = locals()
        if acknowledge(**{name: given[name] for name in ack_names}) is False:
            return
        advisor = advisor_of(context)
        arguments = {name: given[name] for name in work_names}
        if advisor.executor is None:  # an app built without one (a test's): work in this thread
            _run(work, arguments, advisor, body)
        else:
            advisor.executor.submit(_run, work, arguments, advisor, body)

    acknowledge = ack
    listener.__name__ = listener.__qualname__ = f"after_ack({work.__name__})"
    return listener


def _run(
    work: Callable[..., None], arguments: dict[str, Any], advisor: Advisor, body: dict[str, Any]
) -> None:
    """Run the work; if it fails, log the traceback and tell the user, never leave them waiting."""
    try:
        work(**arguments)
    except Exception:
        log.exception("%s failed", work.__name__)
        send_ephemeral(body.get("response_url"), notice(advisor, say("internal-error")))
        raise  # the request is counted as failed (bot/runtime/tracking.py)
