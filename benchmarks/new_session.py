"""Where a new learner's first seconds go: one lesson's link opened in fresh Chromium contexts
(each a new Streamlit session) on a real server, with the moment of each event in seconds from
`page.goto`: the page loaded, the websocket opened, the message holding the lesson's curves
received, the last message received, the sidebar drawn, the curves drawn.

    python -m benchmarks.new_session --data-dir DIR [--lesson 2] [--opens 3] [--port 8597]

DIR must be prepared (`python -m engine.prepare`), as for benchmarks/open_from_cache.py, whose
bar (under 3 s to the curves) this explains. The first open is the server's first, and is
printed too. One line per open, a JSON object of event -> seconds."""

import json
import pathlib
import sys
import tempfile
import time

from benchmarks import app_server
from benchmarks.open_from_cache import CHROMIUM, CURVES, URL_PATHS, benchmark_arguments
from benchmarks.open_from_cache import curves_drawn


def timed_events(browser, url: str, chart_key: str) -> dict:
    """event -> seconds from going to `url` in a fresh context, until the curves are drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    events = {}
    started = time.perf_counter()

    def note(name: str, again: bool = False) -> None:
        if again or name not in events:
            events[name] = round(time.perf_counter() - started, 3)

    def on_message(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        if chart_key.encode() in data:
            note("curves' message received")
        note("last message received", again=True)

    def on_websocket(websocket) -> None:
        note("websocket opened")
        websocket.on("framereceived", on_message)

    page.on("websocket", on_websocket)
    page.on("load", lambda: note("page loaded"))
    try:
        page.goto(url, wait_until="commit")
        page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=120_000)
        note("sidebar drawn")
        curves_drawn(page, chart_key)
        note("curves drawn")
    finally:
        context.close()
    return dict(sorted(events.items(), key=lambda item: item[1]))


def main(argv=None) -> None:
    arguments = benchmark_arguments(__doc__.split("\n\n")[0], argv, lesson=2, opens=3,
                                    port=8597)
    from playwright.sync_api import sync_playwright

    url_path, chart_key = URL_PATHS[arguments.lesson], CURVES[arguments.lesson]
    with tempfile.TemporaryDirectory(prefix="new-session-") as logs, \
            app_server.running_server(pathlib.Path(arguments.data_dir), pathlib.Path(logs),
                                      port=arguments.port, start_timeout_s=120) as (_, base), \
            sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for number in range(arguments.opens + 1):
            which = "the server's first" if number == 0 else f"open {number}"
            print(which, json.dumps(timed_events(browser, f"{base}/{url_path}", chart_key)),
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
