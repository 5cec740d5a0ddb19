"""JSON logs without secrets: one object per line on stderr, Slack tokens and the configured
secrets redacted, whatever logged them.

    configure_logging(settings.secrets(), settings.netplugin_log_level)
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

# Slack tokens: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs-, xoxe- and xoxe.xoxp- (rotation),
# xapp- (app-level); and a decision's preflight report token, npf- (bot/decisions/preflight.py),
# which the Checklist button's message carries (slack_sdk logs what it sends, at DEBUG). Anything
# that looks like one is replaced, whatever logged it.
TOKEN = re.compile(r"\bx(?:ox[a-z]|app)(?:\.xox[a-z])?-[A-Za-z0-9-]+|\bnpf-[0-9a-f]{16,}")
REDACTED = "[redacted]"

# LogRecord attributes that are not `extra=` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redactor:
    """Replaces Slack tokens and the configured secrets (as given and as JSON-escaped)."""

    def __init__(self, secrets: Iterable[str] = ()):
        literal = {s for s in secrets if s and len(s) >= 4}
        literal |= {json.dumps(s)[1:-1] for s in literal}
        self.literal = sorted(literal, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.literal:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """A handler filter: the message, its arguments, the traceback and every `extra=` string
    field lose anything that looks like a token or is a configured secret."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the `extra=` fields, exc."""

    def __init__(self, redactor: Redactor | None = None):
        super().__init__()
        self.redact = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        # json.dumps escapes newlines: a traceback stays on its line. Redacted once more here,
        # in case a record reached this handler without the filter.
        return self.redact(json.dumps(data, default=str, ensure_ascii=False))


class _JsonHandler(logging.StreamHandler):
    """The handler configure_logging installs (a second call replaces it). Without a stream
    of its own it writes to whatever sys.stderr is at the time (tests swap it)."""

    def __init__(self, stream: Any = None):
        super().__init__(stream)
        self._own_stream = stream

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return self._own_stream if self._own_stream is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._own_stream = value


def configure_logging(
    secrets: Iterable[str] = (), level: str | int = "INFO", stream: Any = None
) -> logging.Handler:
    """Send every log record (ours, Bolt's, slack_sdk's, uvicorn's, warnings, uncaught
    exceptions in any thread) to `stream` (stderr) as JSON lines, with secrets redacted."""
    redactor = Redactor(secrets)
    handler = _JsonHandler(stream)
    handler.setFormatter(JsonFormatter(redactor))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    logging.captureWarnings(True)

    def log_uncaught(exc_type, exc, tb, thread_name: str | None = None) -> None:
        logging.getLogger("bot").error(
            "uncaught exception%s",
            f" in thread {thread_name}" if thread_name else "",
            exc_info=(exc_type, exc, tb),
        )

    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(
        args.exc_type, args.exc_value, args.exc_traceback,
        args.thread.name if args.thread else None,
    )  # fmt: skip
    return handler
