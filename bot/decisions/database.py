"""The decision log's SQLite file: opened with the pragmas that make it durable and shareable
(WAL, so datasette and the CLI read while the bot writes), migrated, and probed for readiness.

Two failures have a name: `LogFileError` when the file cannot be used at all (at start: not a
database, read-only, a directory that cannot be made; missing, when only an existing file may
be opened), `LogUnavailable` when a write cannot be made now (locked by another process,
read-only, full disk), so that the caller can say so.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.decisions.migrations import migrations

BUSY_TIMEOUT_MS = 5000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class LogUnavailable(Exception):
    """The decision log cannot take a write now (another process holds its write lock, the
    file or volume is read-only, the disk is full, it is closed): nothing was written."""


class LogFileError(Exception):
    """The decision log's file cannot be opened as a writable SQLite database. `problem` says
    which way: corrupt, read-only, locked, full, cannot-open (the file or its directory),
    missing (no such file, and it was asked for with must_exist)."""

    def __init__(self, path: str, problem: str, error: str):
        super().__init__(f"{path}: {problem} ({error})")
        self.path = path
        self.problem = problem
        self.error = error


def problem_of(exc: BaseException) -> str:
    """What an error opening or writing the file says about it, in one word."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return "corrupt"
    if name.startswith("SQLITE_READONLY"):
        return "read-only"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "locked"
    if name.startswith("SQLITE_FULL"):
        return "full"
    return "cannot-open"


class LogFile:
    """One SQLite file (or `:memory:`) and the lock that makes its connection safe to share
    between listener threads. Raises LogFileError when the file cannot be opened, migrated and
    written (a one-row write proves it at once, not at the first question).

    must_exist=True (the operator's read commands): a file that is not there is LogFileError
    `missing`, and nothing is created, neither the file nor its directories (SQLite opens it
    with mode=rw, which never creates one, so a file removed meanwhile is not made either).
    An existing file is migrated as at any start: the reading code needs the current columns
    (an older file opened read-only would fail on its first query), and the migrations are
    the ones the bot's next start applies anyway, each in a transaction."""

    def __init__(self, path: str, *, must_exist: bool = False):
        self.path = path
        self.memory = path == ":memory:"
        self.lock = threading.Lock()
        conn: sqlite3.Connection | None = None
        if must_exist and not self.memory and not Path(path).exists():
            raise LogFileError(path, "missing", "no such file")
        try:
            options: dict = {"check_same_thread": False, "isolation_level": None}
            if must_exist and not self.memory:
                path_or_uri = f"{Path(path).resolve().as_uri()}?mode=rw"
                options["uri"] = True
            else:
                if not self.memory:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                path_or_uri = path
            conn = sqlite3.connect(path_or_uri, **options)
            self.db = Database(conn)
            if not self.memory:
                self.db.execute("PRAGMA journal_mode=WAL")
                # NORMAL in WAL mode: a committed decision survives the process being killed.
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys=ON")
            with self.lock:
                migrations.apply(self.db)
            self.check_writable(BUSY_TIMEOUT_MS / 1000)
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            error = getattr(exc, "strerror", None) or str(exc)
            raise LogFileError(path, problem_of(exc), error) from exc

    def close(self) -> None:
        """Checkpoint the WAL into the database file and close (a backup or a copy of the file
        alone is then complete)."""
        with self.lock:
            if not self.memory:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.conn.close()

    @contextlib.contextmanager
    def writing(self, timeout: float):
        """Hold the connection for one write transaction, waiting at most `timeout` seconds in
        all (for our other threads, then for another process's write lock): raises
        LogUnavailable when that is not enough, or when SQLite refuses the write."""
        if not self.lock.acquire(timeout=max(timeout, 0.0)):
            raise LogUnavailable("the decision log is busy")
        try:
            self.db.execute(f"PRAGMA busy_timeout={max(int(timeout * 1000), 1)}")
            try:
                with self.db.conn:
                    self.db.execute("BEGIN IMMEDIATE")
                    yield self.db
            except sqlite3.Error as exc:
                raise LogUnavailable(f"{type(exc).__name__}: {exc}") from exc
            finally:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            self.lock.release()

    def check_writable(self, timeout: float = 2.0) -> None:
        """Commit a one-row upsert to the `_health` table: raises sqlite3.Error when the
        database cannot take a write now (read-only file or volume, full disk, locked by
        another writer for longer than `timeout`), TimeoutError when another thread of ours
        holds the connection that long. Readiness probes call it."""
        if not self.lock.acquire(timeout=timeout):
            raise TimeoutError("the decision log is busy")
        try:
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            try:
                with self.db.conn:
                    self.db.execute("BEGIN IMMEDIATE")
                    self.db.execute(
                        "INSERT INTO _health (id, at) VALUES (1, ?)"
                        " ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                        [now()],
                    )
            finally:
                self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        finally:
            self.lock.release()
