"""After `python -m engine.prepare`: how long each lesson takes, from opening its page to its
curves, in a real browser (headless Chromium) on a real `streamlit run` server.

    python -m benchmarks.open_from_cache --data-dir DIR [--repeats 3] [--port 8590]

DIR must be prepared (every lesson ready; the script checks with engine/readiness.py and
stops if not). For every lesson, in course order: the first open after the server started
(its caches cold: the pictures read, the run's model loaded from disk), then `--repeats` more,
each a new learner (a fresh browser context, so a new Streamlit session); each time from
`page.goto` to the lesson's run curves drawn with data, and the "straight from the cache"
caption seen. Then, `--repeats` times, one learner as in class: the home page once, then
every lesson through its sidebar link, timed from the click to the curves. Last, a returning
learner: one browser that has opened every lesson before (its HTTP cache holds Streamlit's
scripts and Plotly's chunk), opening each lesson's link `--repeats` times in a new tab, which
is a new Streamlit session. Prints one line per lesson and the medians of the repeats. Bar
from issue 12: under 3 s.
"""

import argparse
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

from benchmarks import app_server
from benchmarks.class_load import STEPS
from engine import hosting
from engine import readiness
from ui.lesson_list import LESSONS

CHROMIUM = "/usr/bin/chromium"
URL_PATHS = {number: lesson.url_path for number, lesson in enumerate(LESSONS, 1)}
# The chart that holds each lesson's run curves, by its Streamlit key (see the lesson pages).
CURVES = {number: STEPS[url_path].result_key for number, url_path in URL_PATHS.items()}
DRAWN = ("path => (path.getAttribute('d') || '').length > 2 "
         "&& path.getAttribute('d') !== 'M0,0Z'")


def benchmark_arguments(description: str, argv, **whole_numbers) -> argparse.Namespace:
    """The command line of a benchmark that serves a prepared data directory: --data-dir DIR
    (required; it becomes this process's data directory) and, per keyword, an option
    --name N, a whole number defaulting to the keyword's value."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", required=True)
    for name, default in whole_numbers.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    arguments = parser.parse_args(argv)
    os.environ[hosting.DATA_DIR_VARIABLE] = arguments.data_dir
    return arguments


def open_to_curves(browser, url: str, chart_key: str, from_cache: bool = True) -> float:
    """Seconds from opening `url` in a new session to the chart's curves drawn with data;
    then, with `from_cache`, checks that the run came from the cache."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        return timed_open(context.new_page(), url, chart_key, from_cache)
    finally:
        context.close()


def open_in_new_tab(context, url: str, chart_key: str) -> float:
    """Seconds from opening `url` in a new tab of a browser that has opened the classroom
    before (its HTTP cache holds Streamlit's scripts, as a returning learner's does) to the
    chart's curves drawn. A new tab is a new Streamlit session, so the server's side is the
    same as for a new learner; only the browser's downloads differ."""
    page = context.new_page()
    try:
        return timed_open(page, url, chart_key)
    finally:
        page.close()


def timed_open(page, url: str, chart_key: str, from_cache: bool = True) -> float:
    """Seconds from `page` going to `url` to the chart's curves drawn; then, with
    `from_cache`, checks the run came from the cache (no training was timed)."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    curves_drawn(page, chart_key)
    seconds = time.perf_counter() - started
    if from_cache:
        page.get_by_text("straight from the cache").first.wait_for(timeout=10_000)
    return seconds


def returning_learner(browser, base: str, lessons, repeats: int) -> dict:
    """lesson number -> seconds of `repeats` opens, each in a new tab of one browser whose
    cache was filled by opening every lesson once first."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        for lesson in lessons:  # fills the HTTP cache, including Plotly's lazily loaded chunk
            open_in_new_tab(context, f"{base}/{URL_PATHS[lesson.number]}", CURVES[lesson.number])
        return {lesson.number: [open_in_new_tab(context, f"{base}/{URL_PATHS[lesson.number]}",
                                                CURVES[lesson.number])
                                for _ in range(repeats)]
                for lesson in lessons}
    finally:
        context.close()


def curves_drawn(page, chart_key: str) -> None:
    page.wait_for_function(
        f"""() => Array.from(document.querySelectorAll(
                '.st-key-{chart_key} .js-plotly-plot .scatterlayer .trace path'))
            .some({DRAWN})""", timeout=120_000, polling=50)


def through_the_sidebar(browser, base: str, lessons) -> dict:
    """One learner, as in class: the home page opened once, then each lesson reached by its
    link in the sidebar. Seconds from the click to the lesson's curves drawn, by lesson."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seconds = {}
    try:
        page.goto(base)
        page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=120_000)
        for lesson in lessons:
            link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=lesson.title)
            started = time.perf_counter()
            link.click()
            curves_drawn(page, CURVES[lesson.number])
            seconds[lesson.number] = time.perf_counter() - started
            page.get_by_text("straight from the cache").first.wait_for(timeout=10_000)
    finally:
        context.close()
    return seconds


def main(argv=None) -> int:
    arguments = benchmark_arguments(__doc__.split("\n\n")[0], argv, repeats=3, port=8590)
    lessons = readiness.lesson_readiness()
    if not all(lesson.ready for lesson in lessons):
        print(f"{readiness.ready_line(lessons)}: run `{readiness.PREPARE_COMMAND}` with "
              f"{hosting.DATA_DIR_VARIABLE}={arguments.data_dir} first.")
        return 1

    from playwright.sync_api import sync_playwright

    print(f"{platform.node()}, {os.cpu_count()} cores; load average {os.getloadavg()}")
    medians = {}
    with tempfile.TemporaryDirectory(prefix="open-from-cache-") as logs, \
            app_server.running_server(pathlib.Path(arguments.data_dir), pathlib.Path(logs),
                                      port=arguments.port, start_timeout_s=120) as (_, base), \
            sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for lesson in lessons:
            url, key = f"{base}/{URL_PATHS[lesson.number]}", CURVES[lesson.number]
            first = open_to_curves(browser, url, key)
            again = [open_to_curves(browser, url, key) for _ in range(arguments.repeats)]
            medians[lesson.number] = statistics.median(again)
            print(f"lesson {lesson.number} {lesson.title}: first open {first:.2f} s; then "
                  f"{', '.join(f'{seconds:.2f}' for seconds in again)} s, median "
                  f"{medians[lesson.number]:.2f} s", flush=True)
        walks = [through_the_sidebar(browser, base, lessons) for _ in range(arguments.repeats)]
        returning = returning_learner(browser, base, lessons, arguments.repeats)
        browser.close()
    slowest = max(medians, key=medians.get)
    print(f"a new learner opening a lesson's link, slowest median: lesson {slowest}, "
          f"{medians[slowest]:.2f} s (bar: under 3 s)")
    walked = {number: statistics.median(walk[number] for walk in walks) for number in medians}
    for number, seconds in walked.items():
        print(f"lesson {number} through the sidebar: " + ", ".join(
            f"{walk[number]:.2f}" for walk in walks) + f" s, median {seconds:.2f} s")
    slowest = max(walked, key=walked.get)
    print(f"a learner moving to a lesson through the sidebar, slowest median: lesson "
          f"{slowest}, {walked[slowest]:.2f} s (bar: under 3 s)")
    tabs = {number: statistics.median(seconds) for number, seconds in returning.items()}
    for number, seconds in returning.items():
        print(f"lesson {number} in a new tab, browser cache warm: "
              + ", ".join(f"{value:.2f}" for value in seconds) + f" s, median {tabs[number]:.2f} s")
    slowest = max(tabs, key=tabs.get)
    print(f"a returning learner opening a lesson's link in a new tab, slowest median: lesson "
          f"{slowest}, {tabs[slowest]:.2f} s (bar: under 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
