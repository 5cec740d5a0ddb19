"""How the screenshots script and the browser tests start the system Chromium (Debian's
package; Playwright's own browser download is never used): headless, no sandbox (they run as
root), and none of the background connections that a machine without internet refuses."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
