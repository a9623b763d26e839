"""Training jobs through the real runner (a Dask scheduler and worker processes): one run per
settings for the whole class, Stop within a batch keeping exactly what was learned, the same
history for the same seed whatever else trains, and a queue a learner can see and leave."""

import dataclasses
import json
import time

import keras
import pytest

from engine import caps
from engine import datasets
from engine import downloads
from engine import fashion_mnist
from engine import hosting
from engine import job_records
from engine import jobs
from engine import run_cache
from engine import runner as job_runner

SMALL = fashion_mnist.FashionSettings(training_images=6000, epochs=2, batch_size=32, seed=6)


@pytest.fixture(scope="module")
def runner():
    """A runner of its own with two worker processes, so that two jobs really train at once
    (the server's default is one at a time)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(job_runner.JOB_SLOTS_VARIABLE, "2")
        two_slots = job_runner.start()
    yield two_slots
    two_slots.close()


@pytest.fixture(autouse=True)
def uncapped_test_kinds(monkeypatch):
    """The queue tests' own kinds of job have no budget to cap, and engine/caps.py refuses a
    kind it does not know."""
    for kind in ("test-gate", "test-fail"):
        monkeypatch.setitem(caps.CAPS, kind, ())


def wait(job, timeout=300, until=lambda status: not status.active):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = job_records.read_status(job.kind, job.key)
        if status.state is not None and until(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job.kind} did not get there in {timeout} s")


def fresh(job):
    """Forget the job and its runs, so that it trains again."""
    jobs.forget(job)
    for shelf in (run_cache.FINISHED_SHELF, run_cache.STOPPED_SHELF):
        run_cache.discard(run_cache.run_folder(job.kind, job.key, shelf))


def test_many_learners_one_training(classroom_data_dir, runner):
    job = fashion_mnist.job(dataclasses.replace(SMALL, training_images=1000, epochs=1, seed=21))
    fresh(job)
    for learner in ("ada", "grace", "alan"):
        jobs.submit(job, learner, runner)
    assert wait(job).state == job_records.FINISHED
    assert [record["key"] for record in job_records.trainings()].count(job.key) == 1
    assert job_records.read_durations(job.kind)  # recorded, for the queue's estimates
    run = run_cache.load_run(job.kind, job.key)
    assert run is not None and run.complete
    # Asked again after it finished: the stored run, no second training.
    stamp = run_cache.run_folder(job.kind, job.key).stat().st_mtime_ns
    jobs.submit(job, "edsger", runner)
    assert wait(job).state == job_records.FINISHED
    assert run_cache.run_folder(job.kind, job.key).stat().st_mtime_ns == stamp
    assert [record["key"] for record in job_records.trainings()].count(job.key) == 1


def test_stop_mid_epoch_keeps_the_weights_of_that_batch(classroom_data_dir, runner):
    # 938 batches an epoch: seconds, so the Stop lands inside the second epoch.
    job = fashion_mnist.job(dataclasses.replace(SMALL, seed=22, training_images=30000))
    fresh(job)
    jobs.submit(job, "ada", runner)
    wait(job, until=lambda status: status.epochs_done == 1 and status.batch >= 5)
    for learner in ("ada", "grace"):  # both pages watch, as their live views do
        jobs.watch(job, learner)
    assert not jobs.stop(job, "grace")  # a classmate cannot stop Ada's run while she watches
    assert jobs.stop(job, "ada")
    assert wait(job).state == job_records.STOPPED
    stopped = run_cache.load_run(job.kind, job.key, run_cache.STOPPED_SHELF)
    partial = stopped.extras["partial_epoch"]
    assert partial["epoch"] == 2 and 5 <= partial["batches"] < partial["of"] == 938
    assert len(stopped.history["loss"]) == 2  # the first epoch and the unfinished second
    # What the page says was kept is what the kept model does on the test set.
    _, (test_images, test_labels) = datasets.load_fashion_mnist()
    _, accuracy = stopped.model.evaluate(fashion_mnist.prepare_images(test_images, True),
                                         test_labels, verbose=0)
    assert accuracy == pytest.approx(stopped.extras["test_accuracy"], abs=1e-6)
    assert stopped.history["val_accuracy"][-1] == pytest.approx(accuracy, abs=1e-6)
    assert run_cache.load_run(job.kind, job.key) is None  # not stored as a finished run


def test_stop_in_the_first_epoch_keeps_a_model(classroom_data_dir, runner):
    # 1,875 batches an epoch: the first one lasts seconds, longer than the progress interval.
    job = fashion_mnist.job(dataclasses.replace(SMALL, seed=23, training_images=60000))
    fresh(job)
    jobs.submit(job, "ada", runner)
    wait(job, until=lambda status: status.state == job_records.RUNNING and status.epochs_done == 0
         and status.batch >= 2)
    jobs.stop(job, "ada")
    assert wait(job).state == job_records.STOPPED
    stopped = run_cache.load_run(job.kind, job.key, run_cache.STOPPED_SHELF)
    assert stopped.extras["partial_epoch"]["epoch"] == 1
    assert 0 < stopped.extras["test_accuracy"] < 1


def test_same_seed_same_history_whatever_else_trains(classroom_data_dir, runner):
    quiet = fashion_mnist.job(dataclasses.replace(SMALL, seed=24, epochs=1))
    fresh(quiet)
    jobs.submit(quiet, "ada", runner)
    wait(quiet)
    alone = run_cache.load_run(quiet.kind, quiet.key).history
    fresh(quiet)
    other = fashion_mnist.job(dataclasses.replace(SMALL, seed=25, epochs=1))
    fresh(other)
    jobs.submit(other, "grace", runner)  # a classmate presses Train at the same moment
    jobs.submit(quiet, "ada", runner)
    wait(quiet)
    wait(other)
    assert run_cache.load_run(quiet.kind, quiet.key).history == alone
    assert run_cache.load_run(other.kind, other.key).history != alone


@dataclasses.dataclass(frozen=True)
class GateSettings:
    """A job that trains until its gate file appears: for queue tests."""

    name: str
    seed: int = 0

    def as_dict(self):
        return dataclasses.asdict(self)


def gate_job(settings: GateSettings, reporter) -> run_cache.RunResult:
    gate = hosting.data_dir() / f"gate-{settings.name}"
    batch = 0
    while not gate.exists() and not reporter.should_stop():
        batch += 1
        reporter.on_batch(0, batch, 10**6)
        time.sleep(0.02)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    return run_cache.RunResult(model, {"loss": [1.0]}, {"batches": batch},
                               complete=not reporter.should_stop())


def gate(name):
    return jobs.Job("test-gate", 1, gate_job, GateSettings(name), 1)


def failing_job(settings, reporter):
    raise ValueError(f"Nothing to learn from {settings.name}: add pictures.")


def test_queue_says_where_a_job_stands_and_a_learner_can_leave_it(classroom_data_dir, runner):
    blockers = [gate(f"blocker-{index}") for index in range(2)]  # one per slot
    waiting = gate("waiting")
    for job in [*blockers, waiting]:
        fresh(job)
        jobs.submit(job, "ada", runner)
    for blocker in blockers:
        wait(blocker, until=lambda status: status.state == job_records.RUNNING)
    assert job_records.read_status(waiting.kind, waiting.key).state == job_records.QUEUED
    ahead, seconds = jobs.queue_position(waiting)
    assert ahead == len(blockers) and seconds > 0
    jobs.leave(waiting, "ada", runner)  # nobody else waits for it: it leaves the queue
    assert job_records.read_status(waiting.kind, waiting.key).state == job_records.CANCELLED
    for blocker in blockers:
        (classroom_data_dir / f"gate-{blocker.settings.name}").touch()
        assert wait(blocker).state == job_records.FINISHED
    assert not list(job_records.queue_folder().glob(f"*--{waiting.kind}--*"))


def test_a_failing_job_reports_its_sentence(classroom_data_dir, runner):
    job = jobs.Job("test-fail", 1, failing_job, GateSettings("an empty folder"), 1)
    fresh(job)
    jobs.submit(job, "ada", runner)
    status = wait(job)
    assert status.state == job_records.FAILED
    assert status.message == "Nothing to learn from an empty folder: add pictures."


def test_a_job_of_a_runner_that_is_gone_is_lost(classroom_data_dir, runner):
    job = gate("orphan")
    fresh(job)
    record = dataclasses.asdict(job_records.Status(
        state=job_records.RUNNING, owner="ada", epochs=1,
        runner="a scheduler from before a restart"))
    progress_file = job_records.job_folder(job.kind, job.key) / job_records.PROGRESS_FILE
    job_records.write_json(progress_file, record)
    assert jobs.status(job, runner.runner_id).state == job_records.LOST
    assert json.loads(progress_file.read_text())[
        "state"] == job_records.RUNNING  # only the view says lost; a new submit starts it again
    # A job of this very runner that has said nothing for too long died with its worker.
    record.update(runner=runner.runner_id(), updated_at=time.time() - jobs.SILENT_JOB_SECONDS - 1)
    job_records.write_json(progress_file, record)
    assert jobs.status(job, runner.runner_id).state == job_records.LOST
    record.update(updated_at=time.time())
    job_records.write_json(progress_file, record)
    assert jobs.status(job, runner.runner_id).state == job_records.RUNNING
    fresh(job)  # a record saying "running" would keep other tests waiting for it to end


def test_a_job_without_its_data_fails_in_a_sentence_without_the_server_s_folders():
    missing = downloads.MissingDataError(
        "Horses or humans is missing from /srv/classroom/datasets/horse-or-human; copy it there.",
        "Horses or humans is not on this server yet: run python -m engine.prepare.")
    assert jobs.learner_message(missing) == missing.learner_message
    assert "/srv" not in jobs.learner_message(missing)


def test_the_embedded_workers_run_without_dask_s_profiler(runner):
    """Its 10 ms stack sampling cost CPU beside every page view (engine/runner.QUIET_WORKERS)."""
    import dask

    enabled = runner.client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    assert enabled and set(enabled.values()) == {False}
