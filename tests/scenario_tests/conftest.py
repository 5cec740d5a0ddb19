"""The real stack: the fake Slack Web API, a Bolt App built by build_app whose WebClient points
at it, bot/runtime/server.py under uvicorn on 127.0.0.1, and a driver sending signed requests."""

from __future__ import annotations

import pytest
from slackstack import SIGNING_SECRET, Stack, start_stack

__all__ = ["SIGNING_SECRET", "Stack"]


@pytest.fixture(scope="module")
def stack():
    running = start_stack()
    yield running
    running.stop()


@pytest.fixture
def s(stack: Stack) -> Stack:
    """The module's stack with a clean call record (the workspace and log keep their state)."""
    stack.fake.reset()
    return stack
