"""Peak memory of the whole app (the Streamlit server and its children) while a learner runs
the transfer-learning lesson in a real browser. Product requirement: under 3 GB.

    python -m benchmarks.app_memory [--network InceptionV3] [--weights random|data-dir]
                                    [--fine-tune]

What it does, as a learner would: start `streamlit run streamlit_app.py` on a fresh data
directory, open /transfer-learning in headless Chromium (/usr/bin/chromium, via Playwright),
pick the network and the weights (default: InceptionV3 with "no pretrained knowledge (random
weights)", because the ImageNet file is not offline here; memory does not depend on the
numbers in the weights), keep every other default (cut mixed7, 150 px, horses or humans,
20 epochs), press "Compute features and train both", wait for the finished comparison, then
upload one horse picture from the dataset to "your own pictures" to classify it. With
--fine-tune it then also presses part 5's "Fine-tune" (its defaults) and waits for the
fine-tuned model.

Data: the folder named by KERAS_CLASSROOM_DATA_DIR, else ../shared/data; either way its
datasets and weights are linked into a fresh temporary data directory (link_data from
benchmarks.transfer_learning), so no features stored by an earlier run are found.

Memory: a thread reads /proc/<pid>/status (VmRSS, VmHWM) of the server and all its
descendants (found through the ppid in /proc/*/stat) every 0.5 s. The peak is the largest sum
of VmRSS over the samples; the server's own VmHWM (the kernel's peak resident set, which no
sampling can miss) is read at the end of every phase. The browser is the learner's, not the
app's, so Chromium is not counted (its total is printed for information only).
"""

import argparse
import contextlib
import os
import pathlib
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import app_server  # noqa: E402
from benchmarks import browser_page  # noqa: E402
from benchmarks.browser_page import EXCEPTION, PLOTLY  # noqa: E402
from benchmarks import machine  # noqa: E402
from benchmarks import process_tree  # noqa: E402
from benchmarks.transfer_learning import link_data  # noqa: E402
from engine import course_assets  # noqa: E402
from engine import registry  # noqa: E402

LESSON_URL_PATH = "transfer-learning"  # ui/lesson_list.py
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # as tests/browser/conftest.py
SAMPLE_INTERVAL_S = process_tree.SAMPLE_INTERVAL_S
PAGE_TIMEOUT_MS = 300_000  # one script run (building InceptionV3 on a busy 2-core machine)
REQUIREMENT_MB = 3 * 1024

# Labels on the page (lessons/transfer_learning.py, ui/transfer_learning_choices.py,
# ui/own_pictures.py)
WEIGHT_OPTIONS = {"random": "no pretrained knowledge (random weights)",
                  "data-dir": "ImageNet weights from the data directory"}
TRAIN_BUTTON = "Compute features and train both"
COMPARISON_DOWNLOAD = "the comparison (.csv)"
PICTURE_UPLOADER = "pictures to classify"
# Part 5's button (ui/transfer_learning_fine_tuning.py), pressed only with --fine-tune.
FINE_TUNE_BUTTON = "Fine-tune"
FINE_TUNED_DOWNLOAD = "the fine-tuned model (.keras)"



# The process tree's memory (benchmarks/process_tree.py) --------------------------------------


class MemorySampler(process_tree.TreeSampler):
    """The tree's memory, and when lesson 7's features file appeared in `watch_folder`."""

    def __init__(self, root_pid: int, watch_folder: pathlib.Path):
        super().__init__(root_pid)
        self.watch_folder = watch_folder
        self.features_written_at = None  # when the features .npz appeared on disk

    def after_sample(self) -> None:
        if self.features_written_at is None and any(
                not path.name.startswith(".") for path in self.watch_folder.glob("*/*.npz")):
            self.features_written_at = self.now()

    def server_hwm_mb_at(self, end: float) -> float:
        """The server's VmHWM as last sampled by `end` (the kernel's peak up to then)."""
        return max((sample.server.get("VmHWM", 0) for sample in list(self.samples)
                    if sample.seconds <= end), default=0) / 1024


# The page (ideas from tests/browser/test_pages.py) ---------------------------------------------


def wait_for_app_idle(page) -> None:
    browser_page.wait_for_app_idle(page, PAGE_TIMEOUT_MS)


def page_problems(page) -> list:
    """Texts of exception boxes, error alerts and dialogs on the page."""
    problems = page.locator(EXCEPTION).all_inner_texts()
    problems += page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    problems += page.locator('[role="dialog"]').all_inner_texts()
    return [text.strip() for text in problems]


def fail_on_problems(page, when: str) -> None:
    problems = page_problems(page)
    if problems:
        raise RuntimeError(f"the page shows a problem {when}:\n" + "\n---\n".join(problems))


def choose_radio(page, option: str) -> None:
    radio = page.locator('[data-testid="stRadio"]').get_by_text(option, exact=True)
    radio.click()
    page.wait_for_timeout(300)  # let the rerun start before waiting for it to end
    wait_for_app_idle(page)


def progress_text(page) -> str:
    bars = page.locator('[data-testid="stProgress"]')
    try:
        return bars.first.inner_text(timeout=1000).strip() if bars.count() else ""
    except Exception:  # noqa: BLE001 - the bar may be replaced while we read it
        return ""


def comm(pid: int) -> str:
    try:
        return pathlib.Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def browser_rss_mb() -> float:
    """Summed VmRSS of the Chromium processes this script started (through Playwright)."""
    return sum(process_tree.status_kb(pid).get("VmRSS", 0)
               for pid in process_tree.descendants(os.getpid())
               if "chrom" in comm(pid)) / 1024


# The run ----------------------------------------------------------------------------------------


class Phases:
    """Named phases, each from the end of the previous one to a mark."""

    def __init__(self, sampler: MemorySampler):
        self.sampler, self.rows, self.start = sampler, [], sampler.now()

    def mark(self, name: str, end: float = None):
        end = self.sampler.now() if end is None else end
        time.sleep(SAMPLE_INTERVAL_S * 2)  # a sample at or after the mark
        peak = self.sampler.peak(self.start, end + SAMPLE_INTERVAL_S)
        row = (name, end - self.start, peak.rss_mb if peak else float("nan"),
               self.sampler.peak(0, end + SAMPLE_INTERVAL_S).rss_mb,
               self.sampler.server_hwm_mb_at(end + SAMPLE_INTERVAL_S))
        self.rows.append(row)
        print(f"  {name:<34} {row[1]:7.1f} s   phase peak {row[2]:7,.0f} MB   peak so far "
              f"{row[3]:7,.0f} MB   server VmHWM {row[4]:7,.0f} MB", flush=True)
        self.start = end


def horse_picture() -> pathlib.Path:
    folder = registry.image_folder(course_assets.HORSE_OR_HUMAN.key, "train") / "horses"
    return sorted(path for path in folder.iterdir() if path.is_file())[0]


def drive(page, base_url, arguments, sampler: MemorySampler) -> dict:
    phases = Phases(sampler)
    notes = {}
    page.goto(f"{base_url}/{LESSON_URL_PATH}")
    wait_for_app_idle(page)
    fail_on_problems(page, "after loading the lesson")
    phases.mark("page loaded (default network)")

    choose_radio(page, WEIGHT_OPTIONS[arguments.weights])
    fail_on_problems(page, "after choosing the weights")
    choose_radio(page, arguments.network)
    fail_on_problems(page, f"after choosing {arguments.network}")
    phases.mark(f"{arguments.network} chosen and built")

    notes["settings"] = page_settings(page)
    page.get_by_role("button", name=TRAIN_BUTTON).click()
    first_epoch_seen, last_epoch_seen, last_text = wait_while_training(
        page, download_button(page, COMPARISON_DOWNLOAD), sampler, arguments.timeout_minutes,
        "computing and training")
    results_seen = sampler.now()
    features_end = sampler.features_written_at or first_epoch_seen
    notes["features_end_from"] = ("features file written" if sampler.features_written_at
                                  else "first epoch shown")
    notes["last_progress"] = last_text
    phases.mark("features computed", features_end)
    phases.mark("both classifiers trained", last_epoch_seen or results_seen)
    wait_for_app_idle(page)
    fail_on_problems(page, "after training")
    phases.mark("results page (full model built)")

    charts_before = page.locator(PLOTLY).count()
    picture = horse_picture()
    notes["picture"] = picture.name
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=PICTURE_UPLOADER)
    uploader.locator('input[type="file"]').set_input_files(str(picture))
    page.wait_for_function(f"n => document.querySelectorAll('{PLOTLY}').length > n",
                           arg=charts_before, timeout=PAGE_TIMEOUT_MS)
    wait_for_app_idle(page)
    fail_on_problems(page, "after classifying a picture")
    phases.mark("own picture classified")
    notes["pictures_drawn"] = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stImage\"] img, "
        "[data-testid=\"stImageContainer\"] img')).map(image => image.naturalWidth)")
    if arguments.fine_tune:
        page.get_by_role("button", name=FINE_TUNE_BUTTON, exact=True).click()
        _, last_epoch_seen, last_text = wait_while_training(
            page, download_button(page, FINE_TUNED_DOWNLOAD), sampler,
            arguments.timeout_minutes, "fine-tuning")
        notes["fine_tuning_progress"] = last_text
        wait_for_app_idle(page)
        fail_on_problems(page, "after fine-tuning")
        phases.mark("fine-tuned (part 5, its defaults)")
    notes["phases"] = phases.rows
    return notes


def download_button(page, label: str):
    return page.locator('[data-testid="stDownloadButton"]').filter(has_text=label)


def wait_while_training(page, finished, sampler: MemorySampler, timeout_minutes: float,
                        what: str):
    """Poll until `finished` is on the page; returns when the first and the last "Epoch"
    progress text were seen (sampler seconds) and the last progress text."""
    deadline = time.monotonic() + timeout_minutes * 60
    first_epoch_seen = last_epoch_seen = None
    last_print, last_text = time.monotonic(), ""
    while not finished.count():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not finish within {timeout_minutes} minutes; "
                               f"last progress: {last_text!r}")
        fail_on_problems(page, f"while {what}")
        text = progress_text(page)
        if text:
            last_text = text
            if text.startswith("Epoch"):
                first_epoch_seen = first_epoch_seen or sampler.now()
                last_epoch_seen = sampler.now()
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            latest = sampler.samples[-1].rss_mb if sampler.samples else 0
            print(f"    ... {sampler.now():6.0f} s: {last_text or '(no progress bar)'}; "
                  f"tree RSS now {latest:,.0f} MB", flush=True)
        page.wait_for_timeout(500)
    return first_epoch_seen, last_epoch_seen, last_text


def page_settings(page) -> str:
    """The lesson's sliders and select boxes as the page shows them, "label=value"."""
    return ", ".join(page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stSlider"], [data-testid="stSelectbox"]')).map(widget => {
            const label = (widget.querySelector('[data-testid="stWidgetLabel"]') || {})
                .innerText || '?';
            const thumb = widget.querySelector('[data-testid="stSliderThumbValue"]')
                || widget.querySelector('[role="slider"]');
            const value = thumb ? (thumb.innerText || thumb.getAttribute('aria-valuetext')
                                   || thumb.getAttribute('aria-valuenow'))
                                : (widget.querySelector('input') || {}).value
                                  || (widget.innerText.split('\\n')[1] || '');
            return `${label.trim()}=${(value || '').trim()}`;
        })"""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="InceptionV3",
                        choices=["InceptionV3", "MobileNet 0.25"])
    parser.add_argument("--weights", default="random", choices=list(WEIGHT_OPTIONS))
    parser.add_argument("--timeout-minutes", type=float, default=15,
                        help="for the paired training, and again for fine-tuning")
    parser.add_argument("--fine-tune", action="store_true",
                        help="then also press part 5's Fine-tune (its defaults) and wait")
    parser.add_argument("--screenshot", default="/tmp/app_memory.png")
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"machine: {machine.machine_line()}")
    print(f"versions: {machine.versions_line()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="app-memory-") as folder:
        data_dir = pathlib.Path(folder) / "data"
        logs = pathlib.Path(folder) / "logs"
        data_dir.mkdir()
        logs.mkdir()
        source = link_data(data_dir)  # also points KERAS_CLASSROOM_DATA_DIR at data_dir
        print(f"data: {source} linked into a fresh data directory {data_dir}")
        print(f"lesson: /{LESSON_URL_PATH}, network {arguments.network}, weights "
              f"{WEIGHT_OPTIONS[arguments.weights]!r}, other settings the page's defaults; "
              f"memory sampled every {SAMPLE_INTERVAL_S} s\n", flush=True)
        started = time.monotonic()
        with app_server.running_server(data_dir, logs) as (server, base_url), \
                sync_playwright() as play:
            sampler = MemorySampler(server.pid, data_dir / "features")
            sampler.start()
            time.sleep(SAMPLE_INTERVAL_S * 2)
            idle = sampler.peak()
            print(f"  server started, idle: {idle.rss_mb:,.0f} MB", flush=True)
            browser = play.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            failure = None
            try:
                notes = drive(page, base_url, arguments, sampler)
            except Exception as problem:  # noqa: BLE001 - report what was measured anyway
                failure, notes = problem, {}
            with contextlib.suppress(Exception):
                browser_page.full_page_screenshot(page, arguments.screenshot, PAGE_TIMEOUT_MS)
            spinners = page.locator('[data-testid="stSpinner"]').count()
            problems = page_problems(page)
            browser_mb = browser_rss_mb()
            sampler.halt.set()
            sampler.join()
            server_hwm, tree_hwm = sampler.server_hwm_mb(), sampler.tree_hwm_mb()
            processes = max(sample.processes for sample in sampler.samples)
            browser.close()
        peak = sampler.peak()
        total_s = time.monotonic() - started

    print()
    if failure is not None:
        print(f"FAILED: {failure}")
    print(f"peak of summed VmRSS (server and children, {processes} process(es) at most): "
          f"{peak.rss_mb:,.0f} MB at {peak.seconds:.0f} s (server RssAnon "
          f"{peak.server.get('RssAnon', 0) / 1024:,.0f} MB, RssFile "
          f"{peak.server.get('RssFile', 0) / 1024:,.0f} MB)")
    print(f"server VmHWM at the end: {server_hwm:,.0f} MB (sum of VmHWM over the tree "
          f"{tree_hwm:,.0f} MB)")
    print(f"last sample: {sampler.samples[-1].rss_mb:,.0f} MB; Chromium (not counted): "
          f"{browser_mb:,.0f} MB; whole run {total_s:.0f} s")
    if notes:
        print(f"settings on the page when training started: {notes['settings']}")
        if "fine_tuning_progress" in notes:
            print(f"fine-tuning: last progress text {notes['fine_tuning_progress']!r}")
        print(f"features phase ends when the {notes['features_end_from']}; last progress "
              f"text {notes['last_progress']!r}; classified picture {notes['picture']} (widths "
              f"of the pictures drawn on the page: {notes.get('pictures_drawn')})")
    print(f"page at the end: {len(problems)} problem box(es), {spinners} spinner(s); "
          f"screenshot {arguments.screenshot}")
    for text in problems:
        print(f"  problem: {text[:500]}")
    worst = max(peak.rss_mb, server_hwm)
    print(f"requirement: under {REQUIREMENT_MB:,} MB (3 GB): "
          f"{'MET' if worst < REQUIREMENT_MB else 'NOT MET'} (worst of the two peaks "
          f"{worst:,.0f} MB)")
    if failure is not None:
        sys.exit(1)


if __name__ == "__main__":
    main()
