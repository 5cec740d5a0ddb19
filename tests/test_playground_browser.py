"""The playground in a real browser (headless system Chromium, driven by Playwright): the page
sends Slack's real payloads to the real app, and shows what the app answers."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from bot.decisions.adoption import adopt
from bot.playground import Playground
from bot.playground.chromium import CHROMIUM, CHROMIUM_ARGS
from bot.render.messages import say

ARGS = CHROMIUM_ARGS
WAIT_MS = 10_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")


@pytest.fixture(scope="module")
def playground(tmp_path_factory) -> Iterator[Playground]:
    db = tmp_path_factory.mktemp("playground") / "playground.db"
    with Playground(db=db, port=0) as pg:
        yield pg


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, playground):
    playground.close_all_views()  # a modal a failed test left open must not cover the next
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(playground.url)
    yield page
    context.close()
    assert errors == [], errors  # no JavaScript error on the page


def type_in(page, box: str, text: str) -> None:
    page.fill(f"{box} textarea", text)
    page.press(f"{box} textarea", "Enter")


def card_with(page, text: str):
    """The newest message of the channel whose header says `text`."""
    card = page.locator("#messages [data-message]", has=page.locator(".bk-header", has_text=text))
    sync_api.expect(card.last).to_be_visible()
    return card.last


def reply_in_thread(message, attempts: int = 5) -> None:
    """Hover a message and click its "Reply in thread" button. The button shows on hover only,
    and the page swaps the channel's HTML when it changes (a card's thread count, say): a swap
    between the hover and the click leaves a new, unhovered button, so hover again."""
    for attempt in range(attempts):
        message.hover()
        try:
            message.locator(".msg-reply").click(timeout=1000)
            return
        except sync_api.TimeoutError:
            if attempt == attempts - 1:
                raise


def test_slash_command_card_then_explain_in_thread(page, playground):
    type_in(page, "#composer", "/netplugin location=ens nodes=500 integrations=nlb")
    card = card_with(page, "Recommended: Terway Edge")
    # The card's buttons look like buttons and carry what the page sends on click.
    explain = card.get_by_role("button", name="Explain")
    sync_api.expect(explain).to_have_class(re.compile(r"\bbk-button\b"))
    decision = playground.log.get(1)
    assert decision is not None and decision.plugin == "terway-edge"
    assert decision.team == playground.workspace.team_id

    explain.click()
    card.locator(".thread-link").click()
    thread = page.locator("#thread")
    sync_api.expect(thread).to_be_visible()
    sync_api.expect(thread.locator(".thread-count")).to_have_text("1 reply")
    sync_api.expect(thread.locator(".msg-body").last).to_contain_text("Why Terway Edge")
    sync_api.expect(thread.locator(".msg-body").last).to_contain_text("Why not Flannel")
    # It went through Slack's wire format: a signed block_actions in, chat.postMessage out.
    call = playground.fake.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("thread_ts") is not None
    )
    assert call.params["channel"] == "C0GENERAL"


def test_modal_errors_under_the_input_then_card(page, playground):
    type_in(page, "#composer", "/netplugin")
    modal = page.locator(".modal")
    sync_api.expect(modal).to_be_visible()
    sync_api.expect(modal.locator(".modal-title")).to_have_text("Plan cluster network")
    modal.locator("input[name='q:location'][value='idc']").check()
    modal.locator("input[name='q:nodes']").fill("40")
    modal.locator("input[name='q:pod-cidr']").fill("10.0.0.0/33")
    modal.get_by_role("button", name="Recommend").click()

    pod = page.locator(".modal [data-block-id='q:pod-cidr']")
    sync_api.expect(pod.locator(".bk-error")).to_contain_text("10.0.0.0/33")
    sync_api.expect(page.locator(".modal .bk-error")).to_have_count(1)  # only under that input
    # What was typed is still there, as in Slack.
    sync_api.expect(page.locator(".modal input[name='q:nodes']")).to_have_value("40")
    sync_api.expect(page.locator(".modal input[name='q:location'][value='idc']")).to_be_checked()

    messages = page.locator("#messages [data-message]")
    before = messages.count()
    page.locator(".modal input[name='q:pod-cidr']").fill("10.0.0.0/16")
    page.get_by_role("button", name="Recommend").click()
    sync_api.expect(page.locator(".modal")).to_have_count(0)
    sync_api.expect(messages).to_have_count(before + 1)
    card = messages.last
    # 40 nodes in a data centre: Terway Edge 3 against Flannel 2, short of firm
    sync_api.expect(card.locator(".bk-header")).to_contain_text("Leaning Terway Edge")
    sync_api.expect(card).to_contain_text("Decision #")
    decision = playground.log.get(int(re.search(r"Decision #(\d+)", card.inner_text())[1]))
    assert decision.source == "modal" and decision.plan["pod-cidr"] == "10.0.0.0/16"


def test_ephemeral_answer_is_marked(page):
    type_in(page, "#composer", "/netplugin help")
    mine = page.locator("#messages .msg-ephemeral").last
    sync_api.expect(mine).to_contain_text("Only visible to you")
    sync_api.expect(mine).to_contain_text("Ask in your own words")


def test_mention_reaches_the_app_as_app_mention(page):
    type_in(page, "#composer", "hello @netplugin-advisor <b>not bold</b>")
    mine = page.locator("#messages [data-message]", has_text="hello").last
    sync_api.expect(mine.locator(".mention")).to_have_text("@NetPlugin Advisor")
    sync_api.expect(mine.locator(".msg-body")).to_contain_text("<b>not bold</b>")  # shown as text
    mine.locator(".thread-link").click()
    sync_api.expect(page.locator("#thread .msg-body").last).to_contain_text("/netplugin")


def test_thread_reply_is_answered(page, playground):
    """A reply in a card's thread reaches the app as a `message` event with thread_ts."""
    type_in(page, "#composer", "/netplugin location=ens nodes=500 integrations=nlb")
    card = card_with(page, "Recommended: Terway Edge")
    reply_in_thread(card)
    sync_api.expect(page.locator("#thread")).to_be_visible()
    before = len(playground.fake.calls_to("chat.postMessage"))
    type_in(page, "#thread-composer", "why not flannel?")
    sync_api.expect(page.locator("#thread .msg-body", has_text="why not flannel?")).to_be_visible()
    answer = page.locator("#thread .msg-body").last
    sync_api.expect(answer).to_contain_text("Why not Flannel")
    assert len(playground.fake.calls_to("chat.postMessage")) > before


def test_shortcut_card_goes_to_the_dm(page):
    page.get_by_role("button", name="Plan cluster network").click()
    modal = page.locator(".modal")
    sync_api.expect(modal).to_contain_text("your direct messages")
    modal.locator("input[name='q:location'][value='ens']").check()
    modal.get_by_role("button", name="Recommend").click()
    sync_api.expect(modal).to_have_count(0)
    dm = page.locator("#channels a", has_text="NetPlugin Advisor")
    sync_api.expect(dm).to_be_visible()  # the sidebar follows the workspace
    dm.click()
    sync_api.expect(page.locator("#messages .bk-header").last).to_contain_text("Recommended:")


def test_the_home_tab_shows_the_clusters_adopted(page, playground):
    """Opening Home sends app_home_opened; the page draws the view the app publishes."""
    type_in(page, "#composer", "/netplugin location=ens nodes=500 integrations=nlb")
    card_with(page, "Recommended: Terway Edge")
    newest = max(playground.log.query(), key=lambda d: d.id)
    adopt(playground.log, newest.id, cluster="edge-browser", by=playground.user)
    page.locator("#channels a[href='/home']").click()
    home = page.locator("#home")
    sync_api.expect(home.locator(".bk-header").first).to_have_text(
        "Network plugins adopted, by cluster"
    )
    adopted = home.locator(".bk-section", has_text="edge-browser")
    sync_api.expect(adopted).to_contain_text("Terway Edge")
    sync_api.expect(adopted.locator(".mention").first).to_have_text("@alice")  # <@U0ALICE>
    assert playground.fake.calls_to("views.publish")[-1].params["user_id"] == playground.user


def not_sent(reason: str) -> str:
    """The error line under a message box whose message did not go (templates/messages.yaml)."""
    return say("pg-not-sent", reason=reason)


def test_a_reply_the_playground_refuses_stays_in_the_box(page, playground):
    """A real 4xx from the page's own route: a reply in a thread that does not exist."""
    page.goto(f"{playground.url}/c/C0GENERAL#thread=1.000001")
    page.reload()  # the script reads the thread from the address when the page loads
    sync_api.expect(page.locator("#thread")).to_be_visible()
    type_in(page, "#thread-composer", "why not flannel?")
    sync_api.expect(page.locator("#thread-status")).to_have_text(not_sent(say("pg-no-thread")))
    sync_api.expect(page.locator("#thread-composer textarea")).to_have_value("why not flannel?")


@pytest.mark.parametrize("failure", ["http-500", "no-answer"])
def test_a_message_that_was_not_sent_stays_in_the_box(page, failure):
    """The send fails the way it did without python-multipart (a plain-text 500), or the
    playground does not answer at all: the page says so, and the text waits in the box to be
    sent again."""
    question = "/netplugin location=ens nodes=500 integrations=nlb"
    route = "**/c/*/send"

    def fail(request) -> None:
        if failure == "http-500":
            request.fulfill(status=500, content_type="text/plain", body="Internal Server Error")
        else:
            request.abort("connectionrefused")

    page.route(route, fail)
    cards = page.locator(
        "#messages [data-message]", has=page.locator(".bk-header", has_text="Recommended:")
    )
    before = cards.count()
    type_in(page, "#composer", question)
    reason = say("pg-send-http", status=500) if failure == "http-500" else None
    sync_api.expect(page.locator("#status")).to_have_text(
        not_sent(reason or say("pg-send-unreachable"))
    )
    sync_api.expect(page.locator("#composer textarea")).to_have_value(question)

    page.unroute(route, fail)  # the playground answers again: Enter sends what is in the box
    page.press("#composer textarea", "Enter")
    sync_api.expect(cards).to_have_count(before + 1)
    sync_api.expect(page.locator("#status")).to_have_text("")
    sync_api.expect(page.locator("#composer textarea")).to_have_value("")
