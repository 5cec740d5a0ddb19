"""The Bolt app factory.

    app = build_app(Settings())

- One WebClient with retry handlers: 5xx and connection errors are retried (slack_sdk's
  ServerErrorRetryHandler, ConnectionErrorRetryHandler); a 429 is retried in place only when
  its Retry-After is at most BRIEF_RETRY_AFTER seconds (`BriefRateLimitRetryHandler`), else it
  reaches the caller at once: a worker never sleeps a long Retry-After. Bolt copies them into
  each request's client. Cards are posted without them, on lanes, and their 429s wait on a
  timer (bot/slack/posting.py).
- auth.test is called once, here; Bolt gets an `authorize` returning that cached result, so no
  request calls auth.test (and the token is not passed to Bolt, which would verify it again).
  When it fails, `StartFailed` carries what failed in words (bot/runtime/reach.py): a name that
  does not resolve, a refused connection, TLS, an HTTP status, the token refused.
- Every listener acks in the request thread and does its work afterwards on the app's executor
  (process_before_response=True, and bot/slack/ack.py's `after_ack`): Bolt's default runner
  instead polls for ack() every 10 ms, which would be the floor of every ack (see
  docs/slack.md, "Performance"). That work waits while other requests are being acked
  (bot/slack/ackfirst.py).
- Each app has its own metrics registry (`app.obs`, bot/runtime/metrics.py); every dispatch is
  one request, followed into its lazy work (bot/runtime/tracking.py); the decision log's writes
  and the Web API's final errors are counted. `app.health` answers /readyz
  (bot/runtime/health.py), `app.executor` is drained at shutdown (bot/runtime/lifecycle.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from slack_bolt import BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.core.knowledge import Knowledge, default_knowledge
from bot.decisions import DecisionLog
from bot.render.environment import compile_slack_templates
from bot.runtime.health import Health
from bot.runtime.metrics import Observability
from bot.runtime.reach import WEB_API_TIMEOUT, Failure, describe
from bot.runtime.tracking import ObservedApp, ObservedExecutor
from bot.settings import Settings
from bot.slack import actions, commands, events, shortcuts, views
from bot.slack.ackfirst import AckFirst
from bot.slack.deps import Advisor
from bot.slack.recovery import finish_acknowledged

log = logging.getLogger(__name__)


class _ClientWins(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself, and warns at every start that the
    client we give it wins. It does, on purpose (the token is checked once, above): no warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


logging.getLogger("slack_bolt.App").addFilter(_ClientWins())


class _NoBodies(logging.Filter):
    """Bolt logs the body of a request it refuses (a bad signature, at INFO) and of one no
    listener matches (at WARNING, with a code suggestion): user text, response_url, the
    verification token. The line stays, without the body."""

    REWRITES: ClassVar[dict[str, str]] = {
        "Invalid request signature detected": "invalid request signature (body not logged)",
        "Unhandled request": "unhandled request: no listener matched (body not logged)",
    }

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            for start, line in self.REWRITES.items():
                if record.msg.startswith(start):
                    record.msg, record.args = line, None
        return True


for _logger in ("slack_bolt.RequestVerification", "slack_bolt.App"):
    logging.getLogger(_logger).addFilter(_NoBodies())

# commands first: /netplugin is matched before any other listener is tried.
LISTENER_MODULES = (commands, views, actions, shortcuts, events)


BRIEF_RETRY_AFTER = 1.0  # seconds: a 429 asking for longer is not waited for in a worker


class StartFailed(Exception):
    """auth.test at start did not accept the bot token: `failure` says why, in words (the
    token is in neither)."""

    def __init__(self, failure: Failure):
        super().__init__(failure.code)
        self.failure = failure


class BriefRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, for a brief Retry-After only: a longer one is the caller's."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        for name, values in response.headers.items():
            if name.lower() == "retry-after":
                value = values[0] if isinstance(values, list) and values else values
                try:
                    return float(value) <= BRIEF_RETRY_AFTER
                except (TypeError, ValueError):
                    return False
        return True  # no Retry-After: slack_sdk waits about a second


def retry_handlers() -> list:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        BriefRateLimitRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=retry_handlers(),
    )


class CachedAuthorize(Authorize):
    """The result of the one auth.test made at start, for every request (a single workspace)."""

    def __init__(self, result: AuthorizeResult):
        self.result = result

    def __call__(self, **kwargs: Any) -> AuthorizeResult:
        return self.result


class ProvideAdvisor(Middleware):
    """Puts the shared Advisor into each request's context (no argument introspection)."""

    def __init__(self, advisor: Advisor):
        self.advisor = advisor

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        req.context["advisor"] = self.advisor
        return next()


def authorize_once(client: WebClient) -> AuthorizeResult:
    """auth.test with the bot token; StartFailed, saying what failed, when it does."""
    try:
        response = client.auth_test()
    except (SlackClientError, OSError) as exc:  # OSError: urllib's URLError, a read timeout
        raise StartFailed(describe(exc, client.base_url, seconds=client.timeout)) from exc
    return AuthorizeResult.from_auth_test_response(
        auth_test_response=response, bot_token=client.token, user_token=None
    )


def _log_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
    logger.exception("listener failed (%s): %s", body.get("type"), type(error).__name__)


def build_app(
    settings: Settings,
    kb: Knowledge | None = None,
    log: DecisionLog | None = None,
    client: WebClient | None = None,
    *,
    socket_mode: bool = False,
    obs: Observability | None = None,
) -> ObservedApp:
    """The Bolt App with every listener registered. `socket_mode=True` turns off request
    signature checks (Socket Mode requests come over the app's own websocket); otherwise
    SLACK_SIGNING_SECRET is required."""
    client = client or make_client(settings)
    if not client.retry_handlers:
        client.retry_handlers = retry_handlers()
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    if not socket_mode and not secret:
        raise ValueError("SLACK_SIGNING_SECRET is required in HTTP mode")
    authorized = authorize_once(client)
    advisor = Advisor(
        kb=kb or default_knowledge(),
        log=log if log is not None else DecisionLog(settings.netplugin_db),
        bot_user_id=authorized.bot_user_id,
        public_url=settings.netplugin_public_url,
    )
    obs = obs or Observability()
    obs.watch(advisor.log)
    # Bolt takes the token from the AuthorizeResult; a client with a token as well would make it
    # warn that the token is ignored. The error observer goes last: it sees final answers only.
    bolt_client = WebClient(
        base_url=client.base_url,
        timeout=client.timeout,
        headers=client.headers,
        retry_handlers=[*client.retry_handlers, obs.slack_observer],
    )
    gate = AckFirst()
    # The lazy work (parse, recommend, log, render, post) runs on a few threads (Settings).
    executor = ObservedExecutor(gate, settings.netplugin_lazy_workers, obs.lazy_in_flight)
    app = ObservedApp(
        client=bolt_client,
        signing_secret=secret,
        authorize=CachedAuthorize(authorized),
        token_verification_enabled=False,  # done above, once
        request_verification_enabled=not socket_mode,
        process_before_response=True,  # ack in the request thread; work after (after_ack)
        listener_executor=executor,
        name="netplugin-advisor",
    )
    app.gate = gate
    app.obs = obs
    # For what is posted outside a Slack request (preflight reports): the bot token, the same
    # retries and error observer as Bolt's client.
    app.bot_client = WebClient(
        token=authorized.bot_token,
        base_url=client.base_url,
        timeout=client.timeout,
        headers=client.headers,
        retry_handlers=[*client.retry_handlers, obs.slack_observer],
    )
    app.executor = executor
    app.advisor = advisor
    advisor.executor = executor
    app.health = Health(advisor, authorized)
    app.use(ProvideAdvisor(advisor))
    app.error(_log_error)
    for module in LISTENER_MODULES:
        module.register(app)
    compile_slack_templates()  # not on the first card's time
    # What a killed predecessor acknowledged but never answered: answer it now.
    executor.submit(finish_acknowledged, advisor, client)
    return app
