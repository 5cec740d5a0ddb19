"""The running bot: the Bolt app assembled with its observability (`app.build_app`), the HTTP
server (`server`), liveness, readiness and metrics (`health`), JSON logs and metrics
(`observability`) and shutdown on SIGTERM (`lifecycle`). It sits on the Slack layer and below;
only the CLI and the playground import it.
"""
