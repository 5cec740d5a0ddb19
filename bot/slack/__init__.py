"""The Slack layer: a thin shell of Bolt listeners around the core (bot.core never imports Bolt).

`bot.slack.ids` holds every Slack id; `render` turns results into Block Kit; listeners live in
`commands/`, `views/`, `actions/`, `events/` and `shortcuts/`, each with `register(app)`. The
app that wires them is assembled one layer up, in `bot.runtime.app`.
"""
