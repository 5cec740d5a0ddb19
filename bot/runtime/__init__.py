"""The running bot: the Bolt app assembled (`app.build_app`), the HTTP server (`server`),
liveness, readiness and the metrics endpoint (`health`), JSON logs (`logs`), each request followed
into its lazy work (`tracking`) and counted (`metrics`), and shutdown on SIGTERM (`lifecycle`).
It sits on the Slack layer and below; only the CLI and the playground import it.
"""
