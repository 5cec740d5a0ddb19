"""The core (plan, rules, checklist, CIDR, explain, decision log) never imports slack_bolt:
the CLI, the Slack app and the tests drive the same functions."""

from __future__ import annotations

import subprocess
import sys


def test_the_core_and_the_log_import_no_slack_bolt():
    code = (
        "import sys\n"
        "import bot.core.engine, bot.core.grammar, bot.core.explain, bot.core.cidr\n"
        "import bot.decisions, bot.cli.advice, bot.cli.decisions\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'slack_bolt')\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
