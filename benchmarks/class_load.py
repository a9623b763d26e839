"""A class on one server: N learners' sessions (default 30) go through the seven lessons at once
against a real `streamlit run streamlit_app.py`, and ask for each lesson's default trainings
through the controls a learner uses.

    KERAS_CLASSROOM_DATA_DIR=<prepared data dir> python -m benchmarks.class_load \\
        [--sessions 30] [--pattern teacher|together] [--interval 20] [--cold]

How: each session is benchmarks/streamlit_session.py, Streamlit's own websocket protocol
without a browser (30 headless browsers on 2 cores would measure the browsers). On each lesson
a session opens the page as the sidebar link does, presses the lesson's Train buttons that the
page offers with default settings (lessons 1 and 2 train on opening; lesson 4 also offers
lesson 3's dense network when it is not stored; lesson 6 has two, lesson 7 "Compute features
and train both"), lets the live view's timer poll as the browser does, and waits until the page
shows the finished result: the lesson's result chart, no Train button, no live view.

Before the class the teacher opens the home page and the script waits until the server is
quiet: the server's start (importing Keras, starting the Dask workers) is not a learner's page
view (`--no-warm-up` measures from the server's start). Each lesson's first visits still load
its data into the server's caches, as in class.

Patterns: `teacher` (the default): arrivals spread over the first few seconds, then each
session opens the next lesson `--interval` seconds after it opened the last one, or when that
lesson's result is on its page if that is later; `together`: every session at the same moment,
lesson after lesson with no pause (the worst case). `--cold` starts from a fresh data directory
holding only links to the datasets and weights (benchmarks.transfer_learning.link_data), so
every training runs and page times include the training queue.

What it prints, per lesson page: the time to a finished script run (from sending the rerun
that opens the page, or presses a button, to its `script_finished`: median, 95th percentile and
worst over sessions, seconds), the time until the page shows its trained result, and the
exception elements seen. Then the trainings the server ran (new lines in
`<data dir>/jobs/trainings.jsonl`) against the distinct default trainings the sessions asked
for (engine/readiness.py's default runs of the lessons visited); the server's peak memory (the
sum of VmRSS over its process tree, Dask's scheduler and workers included, sampled every 0.5 s,
MiB, from the server's start; or the server's own VmHWM if larger); and its CPU seconds per page
view (user + system of the whole tree, ended children included, from the first learner's view
to the end, divided by the views: openings and presses; the live view's polls count as the
cost of the view that caused them). The 95th percentile of the last line is over every view,
openings and presses. The last line, for scripts, has this form (the numbers here only show
the form; measured ones are in BENCHMARKS.md once measured):

    sessions 30 exceptions 0 trainings 8 distinct 8 peak_mib ... p95_s ... cpu_per_view_s ...

followed by `asked` (distinct trainings asked for), `page_cpu_per_view_s` (the Streamlit
process alone, without the training workers: the warm cost of a view even while trainings
run) and `problems` (visits that could not finish: timeouts, a page not found, a training that
failed).

Targets on a 2-core machine, cache prepared: 0 exceptions in both patterns, every distinct
training run once, peak memory under 4 GB (4,096 MiB); following the teacher, 95th percentile
page time under 5 s; CPU per warm page view under 0.25 s. With a cold cache the same, except
that page times include the training queue.
"""

import argparse
import asyncio
import dataclasses
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import app_server  # noqa: E402
from benchmarks import machine  # noqa: E402
from benchmarks import process_tree  # noqa: E402
from benchmarks import streamlit_session  # noqa: E402
from benchmarks.transfer_learning import link_data  # noqa: E402
from engine import hosting  # noqa: E402
from engine import job_records  # noqa: E402
from engine import readiness  # noqa: E402
from ui import lesson_list  # noqa: E402

PAGE_RUN_TIMEOUT_S = 300.0  # one script run
TEACHER_ARRIVALS_S = 5.0  # a class opening the first lesson spreads over this many seconds
TARGETS = {"peak_mib": 4096, "p95_s": 5.0, "cpu_per_view_s": 0.25}


@dataclasses.dataclass(frozen=True)
class Steps:
    """What a learner does on a lesson page with its default settings."""

    buttons: tuple  # keys of the Train buttons to press when the page offers them, in order
    result_key: str  # the key of the chart that shows the finished result


STEPS = {  # read from lessons/*.py and ui/job_view.py (train_or_show)
    "rules-vs-data": Steps((), "loss"),  # trains on opening
    "hello-neuron": Steps((), "loss"),  # trains on opening
    "fashion-mnist": Steps(("train",), "final-loss"),
    "convolutions": Steps(("train", "train-dense"), "cnn-loss"),
    "real-world-images": Steps(("train",), "real-loss"),
    "augmentation": Steps(("train-plain", "train-augmented"), "augment-compare"),
    "transfer-learning": Steps(("transfer-train",), "transfer-compare"),
}


@dataclasses.dataclass
class Visit:
    """One session on one lesson page; times in seconds."""

    lesson: str
    open_s: float = None
    press_s: list = dataclasses.field(default_factory=list)
    result_s: float = None  # from sending the opening rerun to the result on the page
    exceptions: list = dataclasses.field(default_factory=list)
    problem: str = ""
    polls: int = 0  # the live view's fragment reruns this session sent on the page


def result_shown(session, steps: Steps) -> bool:
    return (session.has_key(steps.result_key) and not session.live_view_running()
            and not any(session.button(key) for key in steps.buttons))


async def visit(session, url_path: str, result_timeout_s: float,
                query_string: str = "") -> Visit:
    """Open the lesson (with its default settings, or a link's `query_string`), press what it
    offers, wait for its result (or a problem)."""
    steps, record = STEPS[url_path], Visit(url_path)
    exceptions_before, not_found_before = len(session.exceptions), len(session.pages_not_found)
    polls_before = session.polls
    sent_at = time.monotonic()
    deadline = sent_at + result_timeout_s
    try:
        record.open_s = await session.open_page(url_path, PAGE_RUN_TIMEOUT_S, query_string)
        if len(session.pages_not_found) > not_found_before:
            raise streamlit_session.SessionError(f"the server found no page {url_path!r}")
        pressed = set()
        # Decided only between full runs: a run in progress (the live view's rerun when its
        # training ended) has cleared the page and not yet drawn it again.
        while session.run_in_progress() or not result_shown(session, steps):
            key = next((key for key in steps.buttons
                        if key not in pressed and session.button(key)), None)
            if key is not None and not session.run_in_progress():
                pressed.add(key)
                record.press_s.append(await session.press(key, PAGE_RUN_TIMEOUT_S))
            elif session.run_in_progress() or session.live_view_running():
                try:
                    await session.next_full_run(max(deadline - time.monotonic(), 0.1))
                except streamlit_session.SessionError as problem:
                    raise streamlit_session.SessionError(
                        f"waiting for the result: {problem}") from None
            else:
                raise streamlit_session.SessionError(
                    "the page shows neither its result nor a training (a training failed?)")
        record.result_s = time.monotonic() - sent_at
    except streamlit_session.SessionError as problem:
        record.problem = f"{url_path}: {problem}"
    record.exceptions = session.exceptions[exceptions_before:]
    record.polls = session.polls - polls_before
    return record


async def learner(base_url: str, lessons: list, arrive_after_s: float, interval_s: float,
                  result_timeout_s: float) -> list:
    """One session through the lessons; its visits."""
    await asyncio.sleep(arrive_after_s)
    session = streamlit_session.Session(base_url)
    try:
        await session.connect()
    except streamlit_session.SessionError as problem:
        return [Visit(url_path, problem=f"{url_path}: {problem}") for url_path in lessons]
    visits = []
    try:
        for url_path in lessons:
            opened_at = time.monotonic()
            visits.append(await visit(session, url_path, result_timeout_s))
            await asyncio.sleep(max(0.0, opened_at + interval_s - time.monotonic()))
    finally:
        await session.close()
    return visits


async def drive_class(base_url: str, arguments) -> list:
    """Every session's visits, one list per session."""
    arrivals = random.Random(0)
    teacher = arguments.pattern == "teacher"
    return await asyncio.gather(*(
        learner(base_url, arguments.lessons,
                arrivals.uniform(0, TEACHER_ARRIVALS_S) if teacher else 0.0,
                arguments.interval if teacher else 0.0, arguments.result_timeout)
        for _ in range(arguments.sessions)))


def asked_trainings(lessons: list) -> set:
    """(kind, key) of the default runs of these lessons (engine/readiness.py)."""
    numbers = {lesson.url_path: number for number, lesson in enumerate(lesson_list.LESSONS, 1)}
    return {(job.kind, job.key) for lesson in readiness.LESSONS
            if lesson.number in {numbers[url_path] for url_path in lessons}
            for _, job in lesson.default_runs()}


def spread(values: list) -> str:
    """"median p95 worst" in seconds, or dashes when there are none."""
    if not values:
        return f"{'-':>6} {'-':>6} {'-':>6}"
    return f"{statistics.median(values):6.2f} {percentile_95(values):6.2f} {max(values):6.2f}"


def percentile_95(values: list) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def lesson_table(visits: list, lessons: list) -> list:
    lines = [f"{'page':<18} {'n':>3}  {'opened: median p95 worst':>24}  "
             f"{'pressed: median p95 worst':>25}  {'result: median p95 worst':>24}  exceptions"]
    for url_path in lessons:
        mine = [visit for visit in visits if visit.lesson == url_path]
        lines.append(
            f"{url_path:<18} {len(mine):>3}  "
            f"{spread([v.open_s for v in mine if v.open_s is not None]):>24}  "
            f"{spread([s for v in mine for s in v.press_s]):>25}  "
            f"{spread([v.result_s for v in mine if v.result_s is not None]):>24}  "
            f"{sum(len(v.exceptions) for v in mine):>10}")
    return lines


async def teacher_opens_home(base_url: str) -> float:
    """Before the class: the teacher opens the home page (the server imports Keras and starts
    its training workers on its first page run); seconds to its run's end."""
    session = streamlit_session.Session(base_url)
    await session.connect()
    try:
        return await session.open_page("", PAGE_RUN_TIMEOUT_S)
    finally:
        await session.close()


def measure(arguments, data_dir: pathlib.Path, logs: pathlib.Path) -> dict:
    """Start the server, drive the class, return what was measured."""
    asked = asked_trainings(arguments.lessons)
    with app_server.running_server(data_dir, logs) as (server, base_url):
        sampler = process_tree.TreeSampler(server.pid)
        sampler.start()
        if arguments.warm_up:
            home_s = asyncio.run(teacher_opens_home(base_url))
            quiet_s = process_tree.wait_until_quiet(server.pid)
            print(f"before the class: the teacher's home page took {home_s:.1f} s, then the "
                  f"server was quiet after {quiet_s:.0f} s; measured from here on", flush=True)
        trained_before = len(job_records.trainings())
        cpu_before = process_tree.tree_cpu_seconds(server.pid)
        page_cpu_before = process_tree.cpu_seconds(server.pid, with_children=False)
        started = time.monotonic()
        sessions = asyncio.run(drive_class(base_url, arguments))
        seconds = time.monotonic() - started
        cpu = process_tree.tree_cpu_seconds(server.pid) - cpu_before
        page_cpu = process_tree.cpu_seconds(server.pid, with_children=False) - page_cpu_before
        sampler.halt.set()
        sampler.join()
        server_hwm = sampler.server_hwm_mb()
    ran = [(record["kind"], record["key"]) for record in job_records.trainings()[trained_before:]]
    peak = sampler.peak()
    return {"visits": [visit for session in sessions for visit in session], "asked": asked,
            "ran": ran, "peak": peak, "server_hwm_mb": server_hwm, "cpu_s": cpu,
            "page_cpu_s": page_cpu, "seconds": seconds,
            "processes": max(sample.processes for sample in sampler.samples)}


def report(arguments, measured: dict) -> None:
    visits, asked, ran = measured["visits"], measured["asked"], measured["ran"]
    print("\n".join(lesson_table(visits, arguments.lessons)))
    page_times = [s for v in visits for s in ([v.open_s] if v.open_s is not None else [])
                  + v.press_s]
    views = len(page_times)
    exceptions = [text for visit in visits for text in visit.exceptions]
    problems = [visit.problem for visit in visits if visit.problem]
    peak_mib = max(measured["peak"].rss_mb, measured["server_hwm_mb"])
    p95 = percentile_95(page_times) if page_times else float("nan")
    cpu_per_view = measured["cpu_s"] / views if views else float("nan")
    page_cpu_per_view = measured["page_cpu_s"] / views if views else float("nan")
    print(f"\nall pages: {views} page views (openings and presses), median "
          f"{statistics.median(page_times) if page_times else float('nan'):.2f} s, 95th "
          f"percentile {p95:.2f} s, worst {max(page_times, default=float('nan')):.2f} s; "
          f"whole run {measured['seconds']:.0f} s")
    print(f"trainings the server ran: {len(ran)}, {len(set(ran))} distinct, of the "
          f"{len(asked)} distinct default trainings asked for"
          + (f"; NOT ASKED: {sorted(set(ran) - asked)}" if set(ran) - asked else "")
          + (f"; ran more than once: {sorted({r for r in ran if ran.count(r) > 1})}"
             if len(ran) > len(set(ran)) else ""))
    print(f"peak memory of the server's process tree: {measured['peak'].rss_mb:,.0f} MiB "
          f"sampled (at {measured['peak'].seconds:.0f} s, {measured['processes']} processes at "
          f"most); the server's own VmHWM {measured['server_hwm_mb']:,.0f} MiB")
    polls = sum(visit.polls for visit in visits)
    per_run = measured["page_cpu_s"] / max(views + polls, 1)
    print(f"CPU: {measured['cpu_s']:.1f} s for the whole tree, {cpu_per_view:.3f} s per view; "
          f"the Streamlit process alone {measured['page_cpu_s']:.1f} s, "
          f"{page_cpu_per_view:.3f} s per view, {per_run:.3f} s per script run counting the "
          f"live views' {polls} polls; this script {sum(os.times()[:2]):.1f} s")
    for text in exceptions[:10]:
        print(f"  exception: {text[:300]}")
    for text in problems[:10]:
        print(f"  problem: {text[:300]}")
    print(f"targets: peak under {TARGETS['peak_mib']:,} MiB, p95 under {TARGETS['p95_s']} s "
          f"(teacher pattern, prepared cache), CPU per warm view under "
          f"{TARGETS['cpu_per_view_s']} s, 0 exceptions, each distinct training once")
    print(f"sessions {arguments.sessions} exceptions {len(exceptions)} trainings {len(ran)} "
          f"distinct {len(set(ran))} peak_mib {peak_mib:.0f} p95_s {p95:.2f} "
          f"cpu_per_view_s {cpu_per_view:.3f} asked {len(asked)} "
          f"page_cpu_per_view_s {page_cpu_per_view:.3f} problems {len(problems)}", flush=True)


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--pattern", choices=["teacher", "together"], default="teacher")
    parser.add_argument("--interval", type=float, default=20.0,
                        help="seconds between a session's lesson openings (teacher pattern)")
    parser.add_argument("--cold", action="store_true",
                        help="a fresh data directory: only the datasets and weights, no runs")
    parser.add_argument("--lessons", nargs="+", default=list(STEPS), choices=list(STEPS),
                        help="url paths of the lessons to visit, in order (default: all)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="measure from the server's start: no teacher's home page first")
    parser.add_argument("--result-timeout", type=float, default=3600.0,
                        help="seconds a session waits for a lesson's result")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_arguments(argv)
    print(f"machine: {machine.machine_line()}")
    print(f"versions: {machine.versions_line()}")
    with tempfile.TemporaryDirectory(prefix="class-load-") as folder:
        logs = pathlib.Path(folder)
        data_dir = hosting.data_dir()
        if arguments.cold:
            data_dir = logs / "data"
            data_dir.mkdir()
            source = link_data(data_dir)  # also points KERAS_CLASSROOM_DATA_DIR at data_dir
            print(f"data: {source}'s datasets and weights linked into a fresh data directory")
        else:
            print(f"data: {data_dir} as it is (prepared with `python -m engine.prepare`?)")
        print(f"class: {arguments.sessions} sessions, pattern {arguments.pattern}"
              + (f" (arrivals over {TEACHER_ARRIVALS_S:.0f} s, a lesson every "
                 f"{arguments.interval:.0f} s or when its result is shown)"
                 if arguments.pattern == "teacher" else " (all at once, no pauses)")
              + f", lessons {' '.join(arguments.lessons)}\n", flush=True)
        report(arguments, measure(arguments, data_dir, logs))


if __name__ == "__main__":
    sys.exit(main())
