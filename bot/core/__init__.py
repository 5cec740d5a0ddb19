"""The advisor core: knowledge, plans, the rules engine, the checklist and CIDR planning.

Nothing here imports slack_bolt: the CLI, the Slack app and the tests drive the same functions.
"""
