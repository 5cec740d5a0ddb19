"""`python -m bot.fakeslack [port]`: a fake Slack on 127.0.0.1; prints the Web API URL, then runs
until standard input closes. POST /_fake/reset forgets the recorded calls."""

from __future__ import annotations

import sys

from bot.fakeslack.api import FakeSlack

fake = FakeSlack(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0).start()
print(fake.api_url, flush=True)
sys.stdin.read()
fake.stop()
