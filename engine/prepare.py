"""Prepare for class: download every dataset and weights file, and train every lesson's default
runs into the run cache, so that in class each lesson shows its curves at once.

    python -m engine.prepare                  # everything, a progress bar per step
    python -m engine.prepare --lessons 1 2 3  # only these lessons
    python -m engine.prepare --list           # only the table: nothing downloaded or trained

It ends with the readiness table of engine/readiness.py (the home page shows the same one):
lesson, what it needs, ready / missing / failed, how long this call's step took, what to do;
then `ready N of M` (lessons). A second call finds everything ready and does nothing. Without
internet it prepares what the data directory allows and names what is missing and how to get
it. It exits 0 when every chosen lesson is ready, else 1.

Runs train in this process through engine/jobs.py, exactly as the server's workers train them
(`jobs.submit`, then `jobs.execute`), so what is stored is what the pages look for.
"""

import argparse
import contextlib
import os
import sys
import textwrap
import threading
import time

# TensorFlow's start-up lines (no CUDA driver, CPU features) would break into the progress
# bars and alarm a teacher; set before engine modules import TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from engine import downloads  # noqa: E402
from engine import hosting  # noqa: E402
from engine import job_records  # noqa: E402
from engine import jobs  # noqa: E402
from engine import readiness  # noqa: E402

OWNER = "prepare"  # the "learner" who started the runs, as the job files record it
POLL_SECONDS = 0.25


class InProcessRunner:
    """The part of engine/runner.py's Runner that jobs.submit uses, training in a thread of
    this process instead of a Dask worker."""

    def __init__(self):
        self.identity = f"prepare-{time.time_ns()}"
        self.threads = {}

    def runner_id(self) -> str:
        return self.identity

    def submit(self, function, *arguments, key: str) -> None:
        thread = threading.Thread(target=function, args=arguments, name=key, daemon=True)
        self.threads[key] = thread
        thread.start()

    def cancel(self, key: str) -> None:
        pass  # a submitted job starts at once: there is no queue to leave

    def wait(self, key: str, seconds: float) -> bool:
        """Wait up to `seconds` for the job; True when it has ended."""
        self.threads[key].join(seconds)
        return not self.threads[key].is_alive()


def progress_bar(**options):
    """A text progress bar on stderr (tqdm), one per step."""
    from tqdm import tqdm

    return tqdm(file=sys.stderr, dynamic_ncols=True, leave=True, **options)


def download(need: readiness.Need, details: dict) -> None:
    """Fetch a missing dataset or weights file, with Keras' own progress bar (get_file's, moved
    to stderr like the other bars); a failure's paragraph goes to `details`."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            downloads.ensure_asset(need.asset_key)
    except downloads.MissingDataError as error:
        details[need.step] = str(error)


def train(need: readiness.Need, runner: InProcessRunner) -> str:
    """Train a default run as the server would, drawing its progress; returns its final state
    (job_records.FINISHED when stored). Ctrl-C stops it, keeping it on the stopped shelf."""
    job = need.job
    jobs.submit(job, OWNER, runner)
    with progress_bar(desc=f"  {need.what}", total=job.epochs, unit="epoch",
                      bar_format="{l_bar}{bar}| {n:.1f}/{total} epochs [{elapsed}] {postfix}"
                      ) as bar:
        try:
            while not runner.wait(f"{job.kind}-{job.key}", POLL_SECONDS):
                status = job_records.read_status(job.kind, job.key)
                bar.n = round(status.fraction_done * job.epochs, 1)
                bar.set_postfix_str(status.phase, refresh=True)
        except KeyboardInterrupt:
            jobs.stop(job, OWNER)
            runner.wait(f"{job.kind}-{job.key}", None)
            raise
        bar.n = round(job_records.read_status(job.kind, job.key).fraction_done * job.epochs, 1)
    return job_records.read_status(job.kind, job.key).state


def timed(step: str, seconds: dict, work) -> None:
    started = time.perf_counter()
    try:
        work()
    finally:
        seconds[step] = time.perf_counter() - started


def prepare_lesson(lesson: readiness.Lesson, runner, seconds: dict, details: dict) -> None:
    """Download what the lesson's choices read (its other choices' files too), then train the
    default runs that are not stored yet (a failed one is tried again)."""
    print(f"\nLesson {lesson.number}. {lesson.title}", file=sys.stderr)
    for need in readiness.lesson_needs(lesson).needs:
        if need.asset_key and need.state != readiness.READY and need.step not in seconds:
            timed(need.step, seconds, lambda: download(need, details))
    # Asked again: lesson 7's network, and so its run, depends on which weights are here now.
    for need in readiness.lesson_needs(lesson).needs:
        if need.job and need.state != readiness.READY and need.step not in seconds:
            timed(need.step, seconds, lambda: train(need, runner))


def format_table(rows: list) -> str:
    """The readiness rows as text: one line per need, what to do wrapped beneath."""
    columns = ("lesson", "needs", "state", "time")
    widths = {name: max([len(name)] + [len(row[name]) for row in rows]) for name in columns}
    header = "  ".join(name.ljust(widths[name]) for name in columns)
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append("  ".join(row[name].ljust(widths[name]) for name in columns).rstrip())
        if row["what to do"]:
            lines += textwrap.wrap(row["what to do"], width=100, initial_indent="    ",
                                   subsequent_indent="    ", break_on_hyphens=False)
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog=readiness.PREPARE_COMMAND,
        description="Download every dataset and weights file and train every lesson's default "
                    "runs, so that each lesson opens its run at once in class.")
    parser.add_argument("--lessons", nargs="+", type=int, metavar="N",
                        choices=[lesson.number for lesson in readiness.LESSONS],
                        help="prepare only these lessons (numbers 1 to 7)")
    parser.add_argument("--list", action="store_true",
                        help="only show what is ready; download and train nothing")
    arguments = parser.parse_args(argv)
    chosen = [lesson for lesson in readiness.LESSONS
              if not arguments.lessons or lesson.number in arguments.lessons]

    print(f"Data directory: {hosting.data_dir()} (set {hosting.DATA_DIR_VARIABLE} to use "
          "another)")
    seconds, details = {}, {}
    if not arguments.list:
        runner = InProcessRunner()
        for lesson in chosen:
            prepare_lesson(lesson, runner, seconds, details)
    report = readiness.lesson_readiness([lesson.number for lesson in chosen])
    print("\n" + format_table(readiness.table_rows(report, seconds, details)))
    for sentence in readiness.advice(report):
        print(textwrap.fill(sentence, width=100, break_on_hyphens=False))
    print(readiness.ready_line(report))
    return 0 if all(lesson.ready for lesson in report) else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
