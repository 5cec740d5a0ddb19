"""Slack calls made off the ack path: on a lane (bot/slack/ackfirst.py), never repeated blindly.

on_lane(advisor, "C0GENERAL", job)        # the job, after the channel's earlier ones
quiet = quiet_client(client)              # a 429 or a 5xx is answered by the caller
"""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.deps import Advisor

# slack_sdk's handlers that repeat a call (blindly, or sleeping in the thread): not for posting.
RETRYING = (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler)


def quiet_client(client: WebClient, leave_out: tuple[type, ...] = RETRYING) -> WebClient:
    """`client` without slack_sdk's retrying handlers (an observer, such as the metrics', stays),
    or without those of `leave_out`."""
    handlers = [h for h in client.retry_handlers if not isinstance(h, leave_out)]
    if len(handlers) == len(client.retry_handlers):
        return client
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=handlers,
    )


def on_lane(advisor: Advisor, key: str, job: Callable[[], None], delay: float = 0.0) -> bool:
    """`job` on lane `key` after `delay` (without an executor: here, now). False when shutting
    down: it will not run."""
    lane = getattr(advisor.executor, "lane", None)
    if lane is None:
        time.sleep(delay)
        job()
        return True
    try:
        return lane(key, job, delay=delay)
    except RuntimeError:  # the executor is already shut down (the interpreter is exiting)
        return False
