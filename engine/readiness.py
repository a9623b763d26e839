"""Is the class ready? For every lesson, what its default runs need (datasets, weights files,
and the runs themselves in the run cache) and the state of each: ready, missing or failed.

File checks only: no training, no model loading, no download. The home page asks on every
visit, and `python -m engine.prepare` (engine/prepare.py), which fills in what is missing,
prints the same table. Each lesson's default runs come from the function its page builds them
with (e.g. fashion_mnist.default_job), so a run prepared here is the run the page asks for.
"""

import dataclasses
import typing

from engine import convolutions
from engine import course_assets
from engine import dropout_pair
from engine import fashion_mnist
from engine import hello_neuron
from engine import hosting
from engine import job_records
from engine import jobs
from engine import real_world
from engine import registry
from engine import rules
from engine import run_cache
from engine import transfer

READY, MISSING, FAILED = "ready", "missing", "failed"
PREPARE_COMMAND = "python -m engine.prepare"
HOW_TO_DOWNLOAD = (f"To get what is missing, run `{PREPARE_COMMAND}` on a computer with "
                   "internet; a classroom without internet copies that computer's data folder "
                   f"here, or points {hosting.DATA_DIR_VARIABLE} at a copy (README, Data and "
                   "weights).")
HOW_TO_TRAIN = (f"`{PREPARE_COMMAND}` trains the default runs not trained yet (minutes, once: "
                "every learner then gets them at once).")
OPTIONAL = "Another choice the lesson offers; its default runs do without it."


@dataclasses.dataclass(frozen=True)
class Lesson:
    """A lesson's default runs and what they need.

    assets: () -> registry keys of the files the default runs read.
    default_runs: () -> [(what it is, in words, jobs.Job)]; called only once every asset is
        present (lesson 7's run is keyed by its weights file's hash)."""

    number: int
    title: str
    assets: typing.Callable[[], tuple]
    default_runs: typing.Callable[[], list]


@dataclasses.dataclass(frozen=True)
class Need:
    """One thing a lesson needs, and its state (READY, MISSING or FAILED). `detail` says what
    is wrong and how to fix it, in a sentence ("" when ready); an `optional` need is another
    choice the lesson offers, not needed by its default runs."""

    lesson: int
    what: str
    state: str
    detail: str = ""
    optional: bool = False
    asset_key: typing.Optional[str] = None
    job: typing.Optional[jobs.Job] = None

    @property
    def step(self) -> str:
        """A name for the work that makes this need ready: the asset key, or kind/run key."""
        return self.asset_key or (f"{self.job.kind}/{self.job.key}" if self.job else self.what)


@dataclasses.dataclass(frozen=True)
class LessonReadiness:
    number: int
    title: str
    needs: tuple

    @property
    def ready(self) -> bool:
        """Every need of the default runs is ready (optional choices do not count)."""
        return all(need.state == READY for need in self.needs if not need.optional)


def _lesson_7_assets() -> tuple:
    base = transfer.base_choice(transfer.default_base_name())
    return base.weights_asset, dropout_pair.PairSettings().dataset


def _lesson_6_runs() -> list:
    plain, augmented = real_world.augmentation_jobs()
    return [("the convnet without augmentation", plain),
            ("the convnet with the course's augmentation", augmented)]


LESSONS = (
    Lesson(1, "Rules vs data", lambda: (),
           lambda: [("the neuron that finds the rule", rules.default_job())]),
    Lesson(2, "Hello, neuron", lambda: (),
           lambda: [("the neuron learning y = 2x - 1", hello_neuron.default_job())]),
    Lesson(3, "Fashion-MNIST", lambda: (course_assets.FASHION_MNIST.key,),
           lambda: [("the dense network", fashion_mnist.default_job())]),
    Lesson(4, "Convolutions", lambda: (course_assets.FASHION_MNIST.key,),
           lambda: [("the convnet", convolutions.default_job()),
                    ("lesson 3's dense network, for the comparison",
                     fashion_mnist.default_job())]),
    Lesson(5, "Real-world images", lambda: (real_world.RealWorldSettings().dataset,),
           lambda: [("the convnet on horses or humans", real_world.default_job())]),
    Lesson(6, "Augmentation", lambda: (real_world.AUGMENTATION_EXPERIMENT.dataset,),
           _lesson_6_runs),
    Lesson(7, "Transfer learning", _lesson_7_assets,
           lambda: [("the two classifiers, without and with dropout",
                     dropout_pair.default_job())]),
)


def asset_need(lesson: int, key: str, optional: bool = False) -> Need:
    """A dataset or weights file: ready when present and its hash matches the registry."""
    status = registry.asset_status(key)
    what = status.title + (" (optional)" if optional else "")
    if status.is_present:
        return Need(lesson, what, READY, optional=optional, asset_key=key)
    detail = f"Damaged: {status.detail}" if status.state == "corrupt" else status.detail
    return Need(lesson, what, FAILED if status.state == "corrupt" else MISSING,
                f"{OPTIONAL} {detail}" if optional else detail, optional, key)


def run_need(lesson: int, what: str, job: jobs.Job) -> Need:
    """A default run: ready when the run cache holds it (the page then shows it at once)."""
    what = f"default run: {what}, {job.epochs} epochs"
    if run_cache.run_folder(job.kind, job.key).is_dir():
        return Need(lesson, what, READY, job=job)
    status = job_records.read_status(job.kind, job.key)
    if status.state == job_records.FAILED:
        return Need(lesson, what, FAILED, f"Training failed: {status.message}", job=job)
    if status.active:
        detail = "Being trained now; it is ready when the training ends."
    else:
        detail = "Not trained yet."
    return Need(lesson, what, MISSING, detail, job=job)


def required_assets() -> set:
    """The registry keys some lesson's default runs read."""
    return {key for lesson in LESSONS for key in lesson.assets()}


def lesson_needs(lesson: Lesson, required: set = None) -> LessonReadiness:
    """Everything `lesson` needs, in order: its files, its other choices' files (assets no
    lesson's default runs read, shown with the first lesson that offers them), its runs."""
    required = required_assets() if required is None else required
    needs = [asset_need(lesson.number, key) for key in lesson.assets()]
    needs += [asset_need(lesson.number, asset.key, optional=True) for asset in course_assets.ASSETS
              if asset.key not in required and asset.lessons[0] == lesson.number]
    missing = [need.what for need in needs if not need.optional and need.state != READY]
    if missing:
        needs.append(Need(lesson.number, "default runs", MISSING,
                          f"They wait for {' and '.join(missing)}."))
    else:
        needs += [run_need(lesson.number, what, job) for what, job in lesson.default_runs()]
    return LessonReadiness(lesson.number, lesson.title, tuple(needs))


def lesson_readiness(numbers=None) -> list:
    """LessonReadiness of every lesson (or of the lesson numbers given), in course order."""
    required = required_assets()
    return [lesson_needs(lesson, required) for lesson in LESSONS
            if numbers is None or lesson.number in numbers]


def table_rows(lessons: list, seconds: dict = None, details: dict = None) -> list:
    """One dictionary per need: lesson, needs, state, time, what to do. `seconds` and
    `details` (keyed by Need.step) add how long a step took and what it reported."""
    seconds, details = dict(seconds or {}), details or {}
    rows = []
    for lesson in lessons:
        for need in lesson.needs:
            taken = seconds.pop(need.step, None)  # a step two lessons share is timed once
            rows.append({"lesson": f"{lesson.number}. {lesson.title}", "needs": need.what,
                         "state": need.state,
                         "time": "" if taken is None else f"{taken:.1f} s",
                         "what to do": details[need.step] if need.state != READY
                         and need.step in details else need.detail})
    return rows


def advice(lessons: list) -> list:
    """What to do about what is not ready, in sentences (none when all is ready)."""
    needs = [need for lesson in lessons for need in lesson.needs
             if need.state != READY and not need.optional]  # optional ones are not asked for
    sentences = []
    if any(need.asset_key for need in needs):
        sentences.append(HOW_TO_DOWNLOAD)
    if any(need.asset_key is None for need in needs):
        sentences.append(HOW_TO_TRAIN)
    return sentences


def ready_line(lessons: list) -> str:
    """`ready N of M`: how many of these lessons have everything their default runs need."""
    return f"ready {sum(lesson.ready for lesson in lessons)} of {len(lessons)}"
