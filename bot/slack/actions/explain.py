"""Explain: the full explanation in the card's thread, once per card however often it is
clicked; on a card only its user sees (ephemeral), the explanation is ephemeral too. A post that
fails releases the card's claim: the next click tries again."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.decisions import Decision
from bot.render.messages import say
from bot.slack import ids, render
from bot.slack.actions.clicked import Click, on_decision
from bot.slack.cards import error_code, notice
from bot.slack.deps import Advisor
from bot.slack.verified import verified_lines


@on_decision
def explain_decision(advisor: Advisor, click: Click, decision: Decision, client: WebClient) -> None:
    message = render.explanation(
        decision.result,
        plugin_names=advisor.plugin_names,
        verified=verified_lines(advisor, decision),
    )
    if click.ephemeral or not click.message_ts or not click.channel:
        click.tell(message)
        return
    claim = f"action:{click.channel}:{click.message_ts}:{ids.EXPLAIN}"
    if not advisor.log.claims.claim(claim):
        click.tell(notice(advisor, say("explain-already")))
        return
    try:
        client.chat_postMessage(channel=click.channel, thread_ts=click.message_ts, **message)
    except SlackClientError as exc:
        advisor.log.claims.release(claim)
        click.tell(notice(advisor, say("post-failed", error=error_code(exc))))
    except BaseException:  # a timeout, a bug: better a second explanation later than none
        advisor.log.claims.release(claim)
        raise
