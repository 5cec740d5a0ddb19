"""The decision log: every recommendation, with its inputs and rules, in SQLite (sqlite-utils)."""

from bot.decisions.store import Decision, DecisionLog, default_db_path

__all__ = ["Decision", "DecisionLog", "default_db_path"]
