"""Claims: the first sight of a key (an event id, a button's message) wins, so that Slack's
retries, a double click or a message + app_mention pair are answered once. A claim whose work
failed is released, so that the next try is not turned away.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.decisions.database import LogFile, now


class Claims:
    def __init__(self, file: LogFile, notify: Callable[..., None]):
        self.file = file
        self.db = file.db
        self.notify = notify  # the log's observers hear "claimed"

    def claim(self, key: str) -> bool:
        """True the first time `key` (an event_id, an action's id) is seen, False after."""
        with self.file.lock:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO handled_events (key, created_at) VALUES (?, ?)",
                [key, now()],
            )
            first = cursor.rowcount == 1
        self.notify("claimed", key=key, first=first)
        return first

    def release(self, key: str) -> None:
        """Forget `key`: the work it claimed failed, and the next sight of it may try again."""
        with self.file.lock, self.db.conn:
            self.db.execute("DELETE FROM handled_events WHERE key = ?", [key])
