"""The decision log: every recommendation, with its inputs and rules, in SQLite (sqlite-utils);
`decide` answers a request and logs it once."""

from bot.decisions.deciding import Asked, decide
from bot.decisions.store import Decision, DecisionLog, default_db_path

__all__ = ["Asked", "Decision", "DecisionLog", "decide", "default_db_path"]
