"""How much of a new session's wait is the fixed stack: the time from opening a link in a
fresh Chromium context to a Plotly chart's curve drawn, for a page with nothing but one chart
(benchmarks/stack_floor_app.py) and for a lesson's link on the real app, opened in turn.

    python -m benchmarks.stack_floor --data-dir DIR [--lesson 2] [--opens 5]

DIR must be prepared (`python -m engine.prepare`), so the lesson's run comes from the cache
(checked on every open). Issue 12's bar is under 3 s to the curves for the lesson; when the
empty page alone needs about that, the bar is the stack's on this machine, not the
classroom's. Each server's first open is left out. Prints one line per open and pair, then
the medians and spreads."""

import pathlib
import statistics
import sys
import tempfile

from benchmarks import app_server
from benchmarks.open_from_cache import CHROMIUM, CURVES, URL_PATHS, benchmark_arguments
from benchmarks.open_from_cache import open_to_curves
from benchmarks.compare import machine_line

FLOOR_APP = "benchmarks/stack_floor_app.py"


def floor_open(browser, url: str) -> float:
    """Seconds from opening the one-chart page in a fresh context to its curve drawn."""
    return open_to_curves(browser, url, "curves", from_cache=False)


def summary(name: str, seconds: list) -> str:
    return (f"{name}: median {statistics.median(seconds):.2f} s, spread "
            f"{min(seconds):.2f}-{max(seconds):.2f} s over {len(seconds)} opens")


def main(argv=None) -> None:
    arguments = benchmark_arguments(__doc__.split("\n\n")[0], argv, lesson=2, opens=5)
    from playwright.sync_api import sync_playwright

    data = pathlib.Path(arguments.data_dir)
    lesson_path, chart_key = URL_PATHS[arguments.lesson], CURVES[arguments.lesson]
    print(machine_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="stack-floor-") as logs:
        floor_logs, app_logs = pathlib.Path(logs, "floor"), pathlib.Path(logs, "app")
        floor_logs.mkdir(), app_logs.mkdir()
        with app_server.running_server(data, floor_logs, app=FLOOR_APP,
                                       start_timeout_s=120) as (_, floor_base), \
                app_server.running_server(data, app_logs, start_timeout_s=120) as (_, app_base), \
                sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            floor_open(browser, floor_base)  # each server's first open: left out
            open_to_curves(browser, f"{app_base}/{lesson_path}", chart_key)
            floor, lesson = [], []
            for number in range(1, arguments.opens + 1):
                floor.append(floor_open(browser, floor_base))
                lesson.append(open_to_curves(browser, f"{app_base}/{lesson_path}", chart_key))
                print(f"open {number}: one-chart page {floor[-1]:.2f} s, lesson "
                      f"{arguments.lesson} {lesson[-1]:.2f} s", flush=True)
    print(summary("a page with one Plotly chart and nothing else", floor))
    print(summary(f"lesson {arguments.lesson}'s link, its run from the cache", lesson))
    print(f"lesson {arguments.lesson} minus the one-chart page (medians): "
          f"{statistics.median(lesson) - statistics.median(floor):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
