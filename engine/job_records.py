"""What a training job and its watchers share lives in the data directory, where a worker on
another machine reaches it too (engine/jobs.py submits, watches and runs the jobs):

    jobs/<kind>/<key>/progress.json    state, epoch and batch, the history so far
    jobs/<kind>/<key>/stop             present once Stop was pressed (checked every batch)
    jobs/<kind>/<key>/watchers/<id>    touched by every page that watches the job
    jobs/queue/<time>--<kind>--<key>   one marker per job waiting or training, oldest first
    jobs/trainings.jsonl               one line per training that ran: kind, key, seconds
    runs/<kind>/<key>/                 the finished run (engine/run_cache.py)
    stopped/<kind>/<key>/              the last stopped run of these settings
"""

import contextlib
import dataclasses
import json
import pathlib
import time
import typing

from engine import hosting
from engine import run_cache
from engine import whole_files

QUEUED, RUNNING, FINISHED, STOPPED, FAILED, CANCELLED, LOST = (
    "queued", "running", "finished", "stopped", "failed", "cancelled", "lost")
ACTIVE = (QUEUED, RUNNING)
PROGRESS_FILE = "progress.json"
STOP_FILE = "stop"


@dataclasses.dataclass
class Status:
    """What a job's progress file says, as a page shows it."""

    state: typing.Optional[str] = None  # None: never submitted
    owner: str = ""
    epochs: int = 0
    epochs_done: int = 0
    batch: int = 0  # within the epoch under way, 1-based
    steps: int = 0  # batches per epoch
    history: dict = dataclasses.field(default_factory=dict)
    message: str = ""  # why it failed, in a sentence for the learner
    phase: str = ""  # work before the epochs, e.g. "Computing features"; "" while training
    submitted_at: float = 0.0
    started_at: float = 0.0
    updated_at: float = 0.0
    runner: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def fraction_done(self) -> float:
        if not self.epochs:
            return 0.0
        within = self.batch / self.steps if self.steps else 0.0
        return min(1.0, (self.epochs_done + within) / self.epochs)


# Where things are ---------------------------------------------------------------------------

def job_folder(kind: str, key: str) -> pathlib.Path:
    run_cache.run_folder(kind, key)  # checks kind and key: both become folder names
    return hosting.data_dir() / "jobs" / kind / key


def queue_folder() -> pathlib.Path:
    return hosting.data_dir() / "jobs" / "queue"


def write_json(path: pathlib.Path, record: dict) -> None:
    """Write under a temporary name, then rename: a reader sees the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with whole_files.written_whole(path) as partial:
        partial.write_text(json.dumps(record), encoding="utf-8")


def read_status(kind: str, key: str) -> Status:
    path = job_folder(kind, key) / PROGRESS_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Status()
    known = {field.name for field in dataclasses.fields(Status)}
    return Status(**{name: value for name, value in record.items() if name in known})


def remove_queue_markers(kind: str, key: str) -> None:
    for marker in queue_folder().glob(f"*--{kind}--{key}"):
        marker.unlink(missing_ok=True)


# What trained, and how long it took -----------------------------------------------------------

def trainings_path() -> pathlib.Path:
    return hosting.data_dir() / "jobs" / "trainings.jsonl"


def trainings() -> list:
    """Every training the runner's workers ran to the end, oldest first: dictionaries with
    kind, key, seconds (of training) and finished_at (a Unix time)."""
    try:
        lines = trainings_path().read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        with contextlib.suppress(ValueError):  # a line cut short by a crash
            found.append(json.loads(line))
    return found


def read_durations(kind: str, kept: int = 20) -> list:
    """The training seconds of the last `kept` runs of this kind."""
    return [float(record["seconds"]) for record in trainings()
            if record.get("kind") == kind][-kept:]


def record_training(job, seconds: float) -> None:
    """Log one training of `job` (an engine.jobs.Job) that ran to its end in `seconds`."""
    line = json.dumps({"kind": job.kind, "key": job.key, "seconds": round(seconds, 3),
                       "finished_at": time.time()})
    trainings_path().parent.mkdir(parents=True, exist_ok=True)
    # One short line in append mode: whole, however many workers write at once.
    with open(trainings_path(), "a", encoding="utf-8") as log:
        log.write(line + "\n")
