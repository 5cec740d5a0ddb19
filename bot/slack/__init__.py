"""The Slack layer: a thin shell of Bolt listeners around the core (bot.core never imports Bolt).

`bot.slack.app.build_app` builds the App; `bot.slack.ids` holds every Slack id; listeners live in
`commands/`, `views/`, `actions/`, `events/` and `shortcuts/`, each with `register(app)`.
"""
