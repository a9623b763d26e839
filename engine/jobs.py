"""Training runs as jobs: one mechanism for every lesson.

A page never trains. It describes a run as a `Job` (which routine, with which frozen
settings), submits it, and watches it; the server's runner (engine/runner.py) trains it in a
worker process. So a run goes on when the learner opens another lesson, every learner who asks
for the same settings watches the one run, and the run's random numbers are its own: nothing
else that the server does at the same time draws from them.

What a job and its watchers share lives in the data directory, where a worker on another
machine reaches it too (engine/job_records.py lists the files).

A job's routine is `train(settings, reporter) -> run_cache.RunResult`, a plain module-level
function, so that it can be sent to a worker by reference.
"""

import contextlib
import dataclasses
import json
import logging
import os
import pathlib
import shutil
import statistics
import time
import typing

from engine import caps
from engine import hosting
from engine import job_records
from engine import run_cache

# A page that has not looked at a job for this long has left it (closed tab, other lesson).
WATCHER_TIMEOUT_SECONDS = 15.0
# How often a running job writes its progress between epochs; each write is a small file.
PROGRESS_INTERVAL_SECONDS = 0.5
# A training job writes its progress at least this often (every half second while batches run;
# the slowest single step, measuring a network before fine-tuning, takes about a minute):
# one silent for longer died with its worker.
SILENT_JOB_SECONDS = 300.0
# Before a kind has any recorded run, the queue estimate assumes this long per job.
UNKNOWN_DURATION_SECONDS = 30.0

logger = logging.getLogger(__name__)


# Settings that watch a run without changing what it learns: "tensorboard" (also write the
# course's TensorBoard logs). A run trained without them is reused with them, and the page says
# so (ui/tensorboard_option.py).
WATCHES_ONLY = ("tensorboard",)


@dataclasses.dataclass(frozen=True)
class Job:
    """One training run: `train(settings, reporter)` for these settings, `epochs` long.

    kind: the run kind (a folder name: lowercase letters, digits, - and _).
    version: the recipe's version; raise it when training order or preprocessing changes.
    settings: a frozen dataclass with `as_dict()`; a `key_dict()` method, when present, leaves
        out settings that cannot change what is learned (so they share one run). Settings
        that only watch a run (WATCHES_ONLY) are never part of its key.
    """

    kind: str
    version: int
    train: typing.Callable
    settings: typing.Any
    epochs: int

    @property
    def key_settings(self) -> dict:
        settings = getattr(self.settings, "key_dict", self.settings.as_dict)()
        return {name: value for name, value in settings.items() if name not in WATCHES_ONLY}

    @property
    def key(self) -> str:
        return run_cache.run_key(self.kind, self.key_settings, self.version)


# The page's side ----------------------------------------------------------------------------

def status(job: Job, runner_id: typing.Callable[[], str] = None) -> job_records.Status:
    """The job's state. An active job whose runner is gone (a restarted server) is LOST, and
    so is a training job silent for SILENT_JOB_SECONDS (its worker died): `runner_id()` names
    the runner this server uses now; it is only asked for active jobs."""
    found = job_records.read_status(job.kind, job.key)
    silent = (found.state == job_records.RUNNING
              and time.time() - found.updated_at > SILENT_JOB_SECONDS)
    if found.active and runner_id is not None and (silent or found.runner != runner_id()):
        found.state = job_records.LOST
        job_records.remove_queue_markers(job.kind, job.key)
    return found


def submit(job: Job, owner: str, runner) -> job_records.Status:
    """Ask for `job`: join it when it is already waiting or training, else queue it on
    `runner` (engine/runner.py) with `owner` (a session id) as the learner who started it.
    Raises ValueError, in a sentence with the cap, for settings over a cap (engine/caps.py),
    and queues nothing then."""
    caps.check(job.kind, job.settings)
    folder = job_records.job_folder(job.kind, job.key)
    folder.mkdir(parents=True, exist_ok=True)
    with run_cache.exclusive_lock(folder.parent / f"{job.key}.submit-lock"):
        current = status(job, runner.runner_id)
        if not current.active:
            (folder / job_records.STOP_FILE).unlink(missing_ok=True)
            now = time.time()
            current = job_records.Status(
                state=job_records.QUEUED, owner=owner, epochs=job.epochs, submitted_at=now,
                updated_at=now, runner=runner.runner_id())
            job_records.write_json(folder / job_records.PROGRESS_FILE, dataclasses.asdict(current))
            marker = job_records.queue_folder() / f"{time.time_ns():020d}--{job.kind}--{job.key}"
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
            runner.submit(execute, job, str(hosting.data_dir()),
                          key=f"{job.kind}-{job.key}")
    watch(job, owner)
    return current


def watch(job: Job, watcher: str) -> None:
    """Say that `watcher` (a session id) is looking at the job, now."""
    path = job_records.job_folder(job.kind, job.key) / "watchers" / watcher
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def watchers(job: Job, besides: str = "") -> typing.Iterator[str]:
    """The sessions, other than `besides`, that looked at the job within
    WATCHER_TIMEOUT_SECONDS, found one by one (a caller may stop at the first)."""
    folder = job_records.job_folder(job.kind, job.key) / "watchers"
    now = time.time()
    for path in folder.glob("*") if folder.is_dir() else ():
        with contextlib.suppress(OSError):  # left meanwhile
            if path.name != besides and now - path.stat().st_mtime <= WATCHER_TIMEOUT_SECONDS:
                yield path.name


def may_stop(job: Job, watcher: str) -> bool:
    """Only the learner who started a job, or its last remaining watcher, can stop it: a
    classmate watching the same run cannot take it away from them. Asked by every watcher's
    live view twice a second, so it looks no further than the first other watcher."""
    current = job_records.read_status(job.kind, job.key)
    return current.owner == watcher or next(watchers(job, besides=watcher), None) is None


def stop(job: Job, watcher: str, runner=None) -> bool:
    """Stop the job for everyone, keeping what it learned; False when `watcher` may not (see
    may_stop). A job still waiting in the queue is taken out of it instead."""
    if not may_stop(job, watcher):
        return False
    folder = job_records.job_folder(job.kind, job.key)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / job_records.STOP_FILE).touch()  # execute() refuses a job stopped before it started
    current = job_records.read_status(job.kind, job.key)
    if current.state == job_records.QUEUED:
        if runner is not None:
            runner.cancel(f"{job.kind}-{job.key}")
        current.state = job_records.CANCELLED
        job_records.write_json(folder / job_records.PROGRESS_FILE, dataclasses.asdict(current))
        job_records.remove_queue_markers(job.kind, job.key)
    return True


def stop_requested(job: Job) -> bool:
    """Stop was pressed and the job is finishing: keeping and measuring what it learned."""
    return (job_records.job_folder(job.kind, job.key) / job_records.STOP_FILE).exists()


def leave(job: Job, watcher: str, runner=None) -> None:
    """`watcher` stops watching. A job still waiting that nobody else watches leaves the
    queue; a job training goes on (its result is kept for whoever asks again)."""
    (job_records.job_folder(job.kind, job.key) / "watchers" / watcher).unlink(missing_ok=True)
    current = job_records.read_status(job.kind, job.key)
    if current.state == job_records.QUEUED and next(watchers(job), None) is None:
        stop(job, watcher, runner)


def queue_position(job: Job) -> tuple:
    """(jobs ahead of this one, about how many seconds until it starts) for a waiting job:
    each job ahead is expected to take the median of its kind's recorded training times,
    less the part a training one has done."""
    markers = sorted(path.name for path in job_records.queue_folder().glob("*--*--*"))
    mine = next((index for index, name in enumerate(markers)
                 if name.endswith(f"--{job.kind}--{job.key}")), len(markers))
    seconds = 0.0
    for name in markers[:mine]:
        _, kind, key = name.split("--")
        done = job_records.read_status(kind, key).fraction_done
        seconds += typical_seconds(kind) * (1.0 - done)
    return mine, seconds


def typical_seconds(kind: str) -> float:
    durations = job_records.read_durations(kind)
    return statistics.median(durations) if durations else UNKNOWN_DURATION_SECONDS


# The worker's side --------------------------------------------------------------------------

class Reporter:
    """What a running job hands its training routine: where to say how far it got, and
    whether a learner pressed Stop. Every call is cheap enough to make after every batch."""

    def __init__(self, folder: pathlib.Path, progress: job_records.Status):
        self.folder = folder
        self.progress = progress
        self.stop_file = folder / job_records.STOP_FILE
        self.last_write = 0.0

    def should_stop(self) -> bool:
        return self.stop_file.exists()

    def on_batch(self, epoch: int, batch: int, steps: int) -> None:
        """`epoch` counted from 0, `batch` from 1, of `steps` batches per epoch."""
        self.progress.epochs_done, self.progress.batch, self.progress.steps = epoch, batch, steps
        self.progress.phase = ""
        self.write_now_and_then()

    def on_step(self, phase: str, done: int, total: int) -> None:
        """Work before training, such as computing features: `done` of `total` items."""
        self.progress.phase, self.progress.batch, self.progress.steps = phase, done, total
        self.write_now_and_then()

    def on_epoch(self, history: dict, epochs_done: int = None) -> None:
        """`history`: metric name -> one number per finished epoch (or, for a run that
        trains several models, any JSON-able dictionary, with `epochs_done` given)."""
        self.progress.history = json.loads(json.dumps(history))
        if epochs_done is None:
            epochs_done = max((len(values) for values in history.values()), default=0)
        self.progress.epochs_done, self.progress.batch = epochs_done, 0
        self.write()

    def on_training_end(self) -> None:
        """Training is over; the routine now measures the model and the job keeps it."""
        self.on_step("Measuring the model and keeping it", 0, 0)
        self.write()

    def write_now_and_then(self) -> None:
        if time.monotonic() - self.last_write >= PROGRESS_INTERVAL_SECONDS:
            self.write()

    def write(self) -> None:
        self.progress.updated_at = time.time()
        self.last_write = time.monotonic()
        job_records.write_json(self.folder / job_records.PROGRESS_FILE,
                               dataclasses.asdict(self.progress))


class QuietReporter:
    """A reporter for calling a job's routine directly (tests, benchmarks): never stops."""

    def should_stop(self) -> bool:
        return False

    def on_batch(self, epoch: int, batch: int, steps: int) -> None:
        pass

    def on_step(self, phase: str, done: int, total: int) -> None:
        pass

    def on_training_end(self) -> None:
        pass

    def on_epoch(self, history: dict, epochs_done: int = None) -> None:
        pass


def execute(job: Job, data_dir: str) -> str:
    """Run `job` to its end in this process (a runner's worker) and return its final state.

    The finished run goes to the run cache, a stopped one to the stopped shelf, before the
    progress file says so, so a watcher that reads the state finds the run."""
    os.environ[hosting.DATA_DIR_VARIABLE] = data_dir  # a worker serves any server
    folder = job_records.job_folder(job.kind, job.key)
    folder.mkdir(parents=True, exist_ok=True)
    progress = job_records.read_status(job.kind, job.key)
    reporter = Reporter(folder, progress)
    try:
        with run_cache.exclusive_lock(folder.parent / f"{job.key}.run-lock"):
            if reporter.should_stop():
                progress.state = job_records.CANCELLED
            elif run_cache.run_folder(job.kind, job.key).is_dir():
                progress.state = job_records.FINISHED  # trained by someone else meanwhile
            else:
                progress.state = train_and_store(job, reporter)
    except Exception as error:  # noqa: BLE001 - a learner's settings must never kill a worker
        logger.exception("Job %s/%s failed", job.kind, job.key)
        progress.state, progress.message = job_records.FAILED, learner_message(error)
    finally:
        reporter.write()
        job_records.remove_queue_markers(job.kind, job.key)
    return progress.state


def train_and_store(job: Job, reporter: Reporter) -> str:
    import keras  # in the worker only: the page's side of this module needs no Keras

    reporter.progress.state, reporter.progress.started_at = job_records.RUNNING, time.time()
    reporter.write()
    # Fresh layer names for every run (conv2d, not conv2d_7): the page shows them.
    keras.backend.clear_session()
    result = job.train(job.settings, reporter)
    if result.complete:
        run_cache.save_run(job.kind, job.key_settings, job.version, result)
        job_records.record_training(job, time.time() - reporter.progress.started_at)
        reporter.on_epoch(result.history)
        return job_records.FINISHED
    run_cache.save_run(job.kind, job.key_settings, job.version, result,
                       shelf=run_cache.STOPPED_SHELF)
    reporter.on_epoch(result.history)
    return job_records.STOPPED


def learner_message(error: Exception) -> str:
    """Our own errors are sentences for the learner already; anything else is summed up."""
    from engine import downloads

    if isinstance(error, downloads.MissingDataError):
        return error.learner_message  # its str() names the server's folders, for a teacher
    if isinstance(error, ValueError):
        return str(error)
    return (f"Training stopped on an unexpected {type(error).__name__}; the server's log has "
            "the details. Try again, or other settings.")


def forget(job: Job) -> None:
    """Remove the job's progress (not its runs): for tests and for a teacher's reset."""
    shutil.rmtree(job_records.job_folder(job.kind, job.key), ignore_errors=True)
    job_records.remove_queue_markers(job.kind, job.key)
