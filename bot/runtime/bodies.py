"""Request bodies read under a cap and a deadline, for every endpoint that takes one: Slack's
(bot/runtime/server.py) and the preflight reports' (bot/runtime/reports.py).

    raw = await read_capped(request, MAX_BODY, READ_SECONDS)   # TooLarge, TimeoutError
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request

# A request's head (request line and headers) must arrive within this long of its first byte (or
# of the connection opening), and its body within this long of its head: Slack sends each
# request at once and wants the answer within 3 s, so only a slow or hostile client needs more.
READ_SECONDS = 5.0


class TooLarge(Exception):
    pass


async def read_capped(request: Request, limit: int, seconds: float) -> bytes:
    """The body, read as it arrives: TooLarge past `limit` bytes (declared or sent), TimeoutError
    when it takes longer than `seconds`, ClientDisconnect when the client goes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > limit):
        raise TooLarge
    body = bytearray()
    async with asyncio.timeout(seconds):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise TooLarge
    return bytes(body)
