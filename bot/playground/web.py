"""The playground's page: a Starlette app over a running `Stack`.

    GET  /                     the first channel            GET /c/{channel}  a channel
    GET  /c/{channel}/state    {"channels", "messages", "thread"}: HTML; "modal": the modal's key
    GET  /modal                the modal on top (HTML), 204 when there is none
    GET  /home                 the app's Home tab (the view the app published for the user)
    GET  /home/state           {"channels", "home"}: HTML; "modal": the modal's key
    POST /c/{channel}/send     text [, thread_ts]: a slash command or a message
    POST /action               channel, ts, action_id, block_id, ephemeral: a button clicked
    POST /modal/{view}/submit  the modal's form (fields named by block_id)
    POST /modal/{view}/close   Cancel / ×
    POST /shortcut             the global shortcut
    POST /home/opened          the Home tab opened: app_home_opened

The page polls its /state every 500 ms (templates/playground/static/playground.js). Every POST
needs the header X-Playground (a form on another site cannot send it). The Host must be
`localhost` or a loopback address; when the page is bound to another address (`netplugin serve
--host 0.0.0.0` in a container), an IP address as well. Never another name: a page on some
site whose name is made to resolve to this address (DNS rebinding) is refused.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import paths
from bot.fakeslack.workspace import Channel, Message
from bot.playground.mrkdwn import mrkdwn
from bot.playground.render import render, render_blocks, render_view
from bot.playground.session import SLACKBOT, Outcome, Stack
from bot.render.messages import say
from bot.slack import ids

LOCAL_NAMES = {"localhost"}
POLL_MS = 500
SLACKBOT_AUTHOR = {"name": "Slackbot", "bot": True, "app": False, "initial": "S"}


def _sort_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0), int(micros or 0)


class Pages:
    """Reads the fake workspace and draws it (no state of its own)."""

    def __init__(self, pg: Stack):
        self.pg = pg

    @property
    def ws(self):
        return self.pg.workspace

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        ws = self.ws
        users = {u.id: u.name for u in ws.users.values()}
        channels = {c.id: c.name for c in ws.channels.values() if not c.is_im}
        return users, channels

    def app_author(self) -> dict[str, Any]:
        """The bot, as its messages are signed: its display name (templates/messages.yaml)."""
        name = self.ws.bot_name
        return {"name": name, "bot": True, "app": True, "initial": name[:1].upper()}

    def _author(self, message: Message) -> dict[str, Any]:
        ws = self.ws
        if message.bot_id or message.user == ws.bot_user_id:
            return self.app_author()
        user = ws.users.get(message.user or "")
        name = user.name if user else (message.user or "someone")
        return {"name": name, "bot": False, "app": False, "initial": name[:1].upper()}

    def _body(self, text: str, blocks: list[dict[str, Any]]) -> Any:
        users, channels = self.names()
        if blocks:
            return render_blocks(blocks, users=users, channels=channels)
        return mrkdwn(text, users, channels)

    def _item(self, channel: Channel, message: Message, *, in_thread: bool) -> dict[str, Any]:
        replies = channel.threads.get(message.ts, []) if not in_thread else []
        return {
            "ts": message.ts,
            "channel": channel.id,
            "author": self._author(message),
            "body": self._body(message.text, message.blocks),
            "ephemeral": False,
            "replies": len(replies),
            "repliers": sorted({self._author(r)["name"] for r in replies}),
        }

    def timeline(self, channel_id: str) -> list[dict[str, Any]]:
        """The channel's top-level messages and the user's ephemeral ones, in order."""
        ws = self.ws
        with ws.lock:
            channel = ws.channels[channel_id]
            items = [self._item(channel, m, in_thread=False) for m in channel.messages]
            for e in ws.ephemeral:
                if e.user != self.pg.user or e.channel != channel_id:
                    continue
                slackbot = e.via == SLACKBOT
                items.append(
                    {
                        "ts": e.ts,
                        "channel": channel_id,
                        "author": SLACKBOT_AUTHOR if slackbot else self.app_author(),
                        "body": self._body(e.text, e.blocks),
                        "ephemeral": True,
                        "replies": 0,
                        "repliers": [],
                    }
                )
        return sorted(items, key=lambda item: _sort_key(item["ts"]))

    def thread(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        ws = self.ws
        with ws.lock:
            channel = ws.channels.get(channel_id)
            parent = channel.message(ts) if channel else None
            if channel is None or parent is None:
                return None
            return {
                "channel": channel_id,
                "ts": ts,
                "parent": self._item(channel, parent, in_thread=True),
                "replies": [self._item(channel, m, in_thread=True) for m in channel.thread(ts)],
            }

    def sidebar(self) -> dict[str, list[dict[str, Any]]]:
        ws = self.ws
        with ws.lock:
            channels = [
                {
                    "id": c.id,
                    "name": c.name,
                    "private": c.is_private,
                    "bot_member": ws.bot_user_id in c.members,
                }
                for c in ws.channels.values()
                if not c.is_im
            ]
            dms = [
                {"id": c.id, "name": ws.users[c.im_user].name if c.im_user in ws.users else c.name}
                for c in ws.channels.values()
                if c.is_im and c.im_user == self.pg.user
            ]
        return {"channels": channels, "dms": dms}

    def messages_html(self, channel_id: str) -> str:
        return render(
            "playground/messages.html.j2",
            items=self.timeline(channel_id),
            channel=self.ws.channels[channel_id],
        )

    def thread_html(self, channel_id: str, ts: str) -> str:
        thread = self.thread(channel_id, ts)
        if thread is None:
            return ""
        return render("playground/thread.html.j2", thread=thread)

    def modal_html(self) -> str | None:
        opened = self.pg.open_view()
        if opened is None:
            return None
        draft = self.pg.drafts.get(opened.id)
        users, channels = self.names()
        return render_view(
            opened.view,
            errors=draft.errors if draft else None,
            values=draft.values if draft else None,
            users=users,
            channels=channels,
        )

    def channels_html(self, channel_id: str | None) -> str:
        """The sidebar, with `channel_id` (None: the Home tab) marked as the one shown."""
        return render(
            "playground/channels.html.j2",
            sidebar=self.sidebar(),
            channel=self.ws.channels[channel_id] if channel_id else None,
            bot_name=self.ws.bot_name,
        )

    def home_html(self) -> str:
        """The Home view the app published for the user, drawn like any Block Kit."""
        view = self.pg.home()
        users, channels = self.names()
        blocks = None
        if view is not None:
            blocks = render_blocks(view.get("blocks") or [], users=users, channels=channels)
        return render("playground/home.html.j2", blocks=blocks, bot_name=self.ws.bot_name)

    @staticmethod
    def texts() -> dict[str, str]:
        """The words the page's script shows by itself (a request that failed), from
        templates/messages.yaml, with the {placeholders} the script fills in."""
        return {
            "notSent": say("pg-not-sent", reason="{reason}"),
            "http": say("pg-send-http", status="{status}"),
            "unreachable": say("pg-send-unreachable"),
            "notAnswering": say("pg-not-answering"),
        }

    def page(self, channel_id: str | None) -> str:
        """A channel's page, or (channel_id None) the app's Home tab."""
        ws = self.ws
        channel = ws.channels[channel_id] if channel_id else None
        title = "Home"
        if channel is not None:
            title = ws.users[channel.im_user].name if channel.is_im else channel.name
        return render(
            "playground/page.html.j2",
            ws=ws,
            bot_name=ws.bot_name,
            channel=channel,
            title=title,
            bot_member=channel is None or ws.bot_user_id in channel.members,
            channels=self.channels_html(channel_id),
            messages=self.messages_html(channel_id) if channel_id else self.home_html(),
            user=ws.users[self.pg.user],
            command=ids.COMMAND,
            shortcut=ids.PLAN_SHORTCUT_NAME,
            poll_ms=POLL_MS,
            texts=self.texts(),
        )


def create_page_app(pg: Stack, *, bound: str = "127.0.0.1") -> Starlette:
    """The page over `pg`; `bound` is the address its server listens on (which Hosts it
    takes: see the module's docstring)."""
    pages = Pages(pg)
    static = paths.templates_dir() / "playground" / "static"

    def channel_or_404(request: Request) -> str | None:
        channel = request.path_params.get("channel", "")
        return channel if channel in pg.workspace.channels else None

    async def home(request: Request) -> Response:
        first = next(iter(pg.workspace.channels))
        return RedirectResponse(f"/c/{first}", status_code=302)

    async def channel_page(request: Request) -> Response:
        channel = channel_or_404(request)
        if channel is None:
            return HTMLResponse(say("pg-no-such-channel"), status_code=404)
        return HTMLResponse(pages.page(channel))

    async def state(request: Request) -> Response:
        channel = channel_or_404(request)
        if channel is None:
            return JSONResponse({"error": "no such channel"}, status_code=404)
        thread = request.query_params.get("thread") or ""
        return JSONResponse(
            {
                "channels": pages.channels_html(channel),
                "messages": pages.messages_html(channel),
                "thread": pages.thread_html(channel, thread) if thread else "",
                "modal": pg.modal_key(),
            }
        )

    async def home_page(request: Request) -> Response:
        return HTMLResponse(pages.page(None))

    async def home_state(request: Request) -> Response:
        return JSONResponse(
            {
                "channels": pages.channels_html(None),
                "home": pages.home_html(),
                "modal": pg.modal_key(),
            }
        )

    async def home_opened(request: Request) -> Response:
        return await _run(pg.open_home)

    async def modal(request: Request) -> Response:
        html = pages.modal_html()
        return HTMLResponse(html) if html is not None else Response(status_code=204)

    async def send(request: Request) -> Response:
        channel = channel_or_404(request)
        if channel is None:
            return JSONResponse({"ok": False, "error": "no such channel"}, status_code=404)
        form = await request.form()
        text, thread_ts = str(form.get("text") or ""), str(form.get("thread_ts") or "")
        return await _run(pg.send, channel, text, thread_ts or None)

    async def action(request: Request) -> Response:
        form = await request.form()
        return await _run(
            pg.click,
            str(form.get("channel") or ""),
            str(form.get("ts") or ""),
            str(form.get("action_id") or ""),
            str(form.get("block_id") or ""),
            str(form.get("ephemeral") or "") == "true",
        )

    async def submit(request: Request) -> Response:
        form = await request.form()
        fields: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, []).append(value)
        return await _run(pg.submit, request.path_params["view"], fields)

    async def close(request: Request) -> Response:
        return await _run(pg.close_view, request.path_params["view"])

    async def shortcut(request: Request) -> Response:
        return await _run(pg.shortcut)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/c/{channel}", channel_page),
            Route("/c/{channel}/state", state),
            Route("/c/{channel}/send", send, methods=["POST"]),
            Route("/home", home_page),
            Route("/home/state", home_state),
            Route("/home/opened", home_opened, methods=["POST"]),
            Route("/modal", modal),
            Route("/action", action, methods=["POST"]),
            Route("/modal/{view}/submit", submit, methods=["POST"]),
            Route("/modal/{view}/close", close, methods=["POST"]),
            Route("/shortcut", shortcut, methods=["POST"]),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ]
    )
    app.add_middleware(_LocalOnly, any_address=not _is_loopback(bound))
    return app


async def _run(function: Any, *args: Any) -> Response:
    """A blocking call into the stack (it waits for the app's HTTP answer) off the loop."""
    outcome: Outcome = await anyio.to_thread.run_sync(function, *args)
    return JSONResponse(outcome.to_json(), status_code=200 if outcome.ok else 400)


def _is_loopback(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(header: str, *, any_address: bool) -> bool:
    """A Host header (`name`, `name:port`, `[v6]:port`) the page answers: `localhost` or a
    loopback address; with `any_address`, any IP address too. Never another name."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or any_address


class _LocalOnly:
    """The Host as `host_allowed` says; POSTs only from the page's own script (X-Playground)."""

    def __init__(self, app: Any, *, any_address: bool = False):
        self.app = app
        self.any_address = any_address

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
            refused = None
            if not host_allowed(headers.get("host", ""), any_address=self.any_address):
                refused = Response(say("pg-host-refused"), status_code=403)
            elif scope["method"] == "POST" and headers.get("x-playground") != "1":
                refused = Response(say("pg-missing-header"), status_code=403)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
