"""The README's screenshots, taken through the playground in headless Chromium.

    python scripts/screenshots.py [--out docs] [--chromium /usr/bin/chromium]

Writes card.png (a /netplugin card in #general), modal.png (the questionnaire refusing a pod
CIDR, the error under its input) and thread.png (the Explain button's answer in the card's
thread, and a reply to it). Everything runs on 127.0.0.1 with a throwaway decision log; the
pictures show exactly what the app sends, drawn by templates/playground/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from bot.playground import Playground
from bot.playground.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
ARGS = [*CHROMIUM_ARGS, "--font-render-hinting=none"]
QUESTION = "/netplugin location=ens nodes=500 integrations=nlb"


def send(page, box: str, text: str) -> None:
    page.fill(f"{box} textarea", text)
    page.press(f"{box} textarea", "Enter")


def take(out: Path, chromium: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        Playground(db=Path(tmp) / "p.db", port=0) as pg,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1180})
        page.set_default_timeout(15_000)
        page.goto(pg.url)

        # The card, in the channel.
        send(page, "#composer", QUESTION)
        card = page.locator("#messages [data-message]").last
        expect(card.locator(".bk-header")).to_contain_text("Terway Edge")
        card.scroll_into_view_if_needed()
        page.evaluate("document.getElementById('messages').scrollTop = 0")
        written.append(out / "card.png")
        page.screenshot(path=written[-1])

        # The explanation in the thread, and a question in the thread.
        card.get_by_role("button", name="Explain").click()
        card.locator(".thread-link").click()
        thread = page.locator("#thread")
        expect(thread.locator(".thread-count")).to_have_text("1 reply")
        send(page, "#thread-composer", "why not flannel?")
        expect(thread.locator(".msg-body", has_text="why not flannel?")).to_be_visible()
        page.wait_for_timeout(1500)  # the answer, when the app answers thread replies
        # The explanation's top in view, in the thread pane; the card's top in the channel.
        thread.locator(".msg").nth(1).evaluate("e => e.scrollIntoView({block: 'start'})")
        page.evaluate("document.getElementById('messages').scrollTop = 0")
        page.mouse.move(5, 600)  # no hover highlight in the picture
        written.append(out / "thread.png")
        page.screenshot(path=written[-1])
        page.locator("[data-close-thread]").click()

        # The questionnaire, refusing an impossible pod CIDR.
        send(page, "#composer", "/netplugin")
        modal = page.locator(".modal")
        expect(modal).to_be_visible()
        modal.locator("input[name='q:location'][value='idc']").check()
        modal.locator("input[name='q:nodes']").fill("40")
        modal.locator("input[name='q:pod-cidr']").fill("10.0.0.0/33")
        modal.get_by_role("button", name="Recommend").click()
        expect(modal.locator(".bk-error")).to_be_visible()
        page.wait_for_timeout(300)
        written.append(out / "modal.png")
        page.screenshot(path=written[-1])
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    for path in take(args.out, args.chromium):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
