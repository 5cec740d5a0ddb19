"""Every Slack id the app uses, in one place.

The listeners wire these ids to callbacks; the deploy tooling generates and checks the Slack app
manifest from this module (command, shortcut, events, scopes). Changing an id here changes it
everywhere: the templates receive the ids from the renderers, never spell them out.
"""

from __future__ import annotations

# --- slash command ------------------------------------------------------------------------------
COMMAND = "/netplugin"
COMMAND_DESCRIPTION = "Flannel or Terway Edge for an ACK Edge cluster, explained"
COMMAND_USAGE_HINT = (
    "[your question | ask | help | compare | checklist <plugin> | history [n] | explain <id>"
    " | adopt <id> <cluster>]"
)

# --- modal (view) and global shortcut -----------------------------------------------------------
PLAN_MODAL = "netplugin-plan"  # callback_id of the questionnaire modal
PLAN_SHORTCUT = "netplugin-plan-shortcut"  # callback_id of the global shortcut
PLAN_SHORTCUT_NAME = "Plan cluster network"
PLAN_SHORTCUT_DESCRIPTION = "Answer a few questions and get a network plugin recommendation"

# Each question of knowledge/questions.yaml is one input block: block_id = prefix + key,
# with one element whose action_id is QUESTION_ACTION.
QUESTION_BLOCK_PREFIX = "q:"
QUESTION_ACTION = "answer"


def question_block_id(key: str) -> str:
    return QUESTION_BLOCK_PREFIX + key


def question_key(block_id: str) -> str | None:
    if block_id.startswith(QUESTION_BLOCK_PREFIX):
        return block_id[len(QUESTION_BLOCK_PREFIX) :]
    return None


# --- the card's buttons (block_actions) ---------------------------------------------------------
CARD_ACTIONS_BLOCK = "netplugin-card-actions"
EXPLAIN = "netplugin-explain"
ADJUST = "netplugin-adjust"
CHECKLIST = "netplugin-checklist"
ADOPT = "netplugin-adopt"

# --- adopting a decision for a cluster (a modal opened by the Adopt button) --------------------
ADOPT_MODAL = "netplugin-adopt"  # callback_id; private_metadata carries the decision id
ADOPT_CLUSTER_BLOCK = "adopt:cluster"
ADOPT_REVIEW_BLOCK = "adopt:review-by"
ADOPT_INPUT = "value"

# --- Events API ---------------------------------------------------------------------------------
APP_MENTION = "app_mention"
APP_HOME_OPENED = "app_home_opened"  # the bot's Home tab: the team's adopted decisions
MESSAGE = "message"  # thread replies under a card: every conversation type sends this type
# The manifest subscribes per conversation type (public, private, DM); all arrive as `message`.
MESSAGE_SUBSCRIPTIONS = ("message.channels", "message.groups", "message.im")
EVENTS = (APP_MENTION, APP_HOME_OPENED, *MESSAGE_SUBSCRIPTIONS)

# --- Web API methods called, and the bot scopes each needs --------------------------------------
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.getPermalink": (),
    "views.open": (),
    # The shortcut's card goes to the user's DM with the bot: conversations.open(users=...).
    "conversations.open": ("im:write",),
    # A card whose post had no answer is looked for by its metadata before being posted again;
    # in its thread, for the card answering an @mention.
    "conversations.history": ("channels:history", "groups:history", "im:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history"),
    # Adopting a decision: only members of the channel it was made in may (conversations.members);
    # its card then shows it (chat.update).
    "conversations.members": ("channels:read", "groups:read"),
    "chat.update": ("chat:write",),
    # ADRs and the Home tab name people and channels, not ids.
    "users.info": ("users:read",),
    "conversations.info": ("channels:read", "groups:read", "im:read"),
    "views.publish": (),  # the Home tab
}
COMMAND_SCOPES = ("commands",)  # slash commands and shortcuts
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    APP_MENTION: ("app_mentions:read",),
    APP_HOME_OPENED: (),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.im": ("im:history",),
}

BOT_SCOPES: tuple[str, ...] = tuple(
    sorted(
        {
            *COMMAND_SCOPES,
            *(s for scopes in METHOD_SCOPES.values() for s in scopes),
            *(s for scopes in EVENT_SCOPES.values() for s in scopes),
        }
    )
)

# --- the request URL's path, in the manifest and on the server (bot/runtime/server.py) ----------
EVENTS_PATH = "/slack/events"  # commands, interactivity and events all come here
# `netplugin preflight check --report URL` posts its results here (bot/runtime/reports.py): on the
# HTTP server beside EVENTS_PATH, and in Socket Mode on the health server.
PREFLIGHT_REPORT_PATH = "/preflight/report"
