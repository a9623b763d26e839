"""The server's training runner: Dask distributed (https://distributed.dask.org).

On one machine the runner is embedded: a Dask scheduler and `KERAS_CLASSROOM_JOB_SLOTS` worker
processes (1 by default: on a 2-core laptop two trainings at once are each slower than one
after the other), each training one job at a time. Set `KERAS_CLASSROOM_SCHEDULER` to a Dask
scheduler's address (`tcp://host:8786`) and the same jobs run on that cluster's workers
instead; nothing else changes, since jobs are plain functions of their settings and report
through the data directory.

Why Dask rather than a thread in the server: a job in its own process draws its random numbers
alone (Keras' seed is process-wide, and Streamlit resets Keras' state after every page run),
outlives the page that asked for it, and one task per key is run however many learners submit
it. The workers are subprocesses started by `python -m distributed.cli.dask_spec`
(`SubprocessCluster`), not forked from the server: a spawned child of the server would re-run
whatever Streamlit set as `__main__`, a lesson page.
"""

import atexit
import logging
import os
import pathlib
import threading

SCHEDULER_VARIABLE = "KERAS_CLASSROOM_SCHEDULER"
JOB_SLOTS_VARIABLE = "KERAS_CLASSROOM_JOB_SLOTS"
REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
WORKER_START_SECONDS = 120


class Runner:
    """A Dask client that keeps the futures of the jobs it submitted until they end (Dask
    forgets a task that no client holds)."""

    def __init__(self, client, cluster=None):
        self.client = client
        self.cluster = cluster
        self.futures = {}
        self.lock = threading.Lock()
        self.identity = client.scheduler_info()["id"]

    def runner_id(self) -> str:
        """The scheduler's id: a job recorded under another id was lost with its scheduler."""
        return self.identity

    def submit(self, function, *arguments, key: str) -> None:
        """Run `function(*arguments)` on a worker, once per `key` while it is pending."""
        future = self.client.submit(function, *arguments, key=key, pure=False)
        with self.lock:
            self.futures[key] = future
        future.add_done_callback(lambda finished: self.forget(key, finished))

    def forget(self, key: str, future) -> None:
        with self.lock:
            if self.futures.get(key) is future:
                del self.futures[key]

    def cancel(self, key: str) -> None:
        with self.lock:
            future = self.futures.get(key)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


_runner = None
_runner_lock = threading.Lock()


def runner() -> Runner:
    """The runner of this server process, started on first use."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = start()
            atexit.register(shut_down)
    return _runner


def start_in_background() -> None:
    """Start this process's runner without waiting for it, so that the first learner to
    press Train does not wait for the workers to start."""
    if _runner is None:
        threading.Thread(target=runner, name="start-training-runner", daemon=True).start()


# Dask's statistical profiler samples every worker's stack every 10 ms, for a dashboard this
# app does not show: with it off, an idle embedded cluster (scheduler and one worker) took
# 0.049 CPU seconds per second instead of 0.071, on this 2-core machine, beside the server's
# page views. deploy/worker.sh sets the same for a cluster's workers.
QUIET_WORKERS = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def start() -> Runner:
    from distributed import Client

    address = os.environ.get(SCHEDULER_VARIABLE, "").strip()
    if address:
        return Runner(Client(address, set_as_default=False))
    from distributed.deploy.subprocess import SubprocessCluster

    slots = job_slots()
    # The workers import engine.* by name: put this repository on their path.
    python_path = os.environ.get("PYTHONPATH", "")
    if str(REPOSITORY) not in python_path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), python_path]))
    # Workers without Dask's nanny: the nanny starts its worker with one OpenMP thread and
    # MALLOC_TRIM_THRESHOLD_ set, against oversubscription and for returning memory, and
    # measured here that made a lesson 3 run 1.8 times slower (21 s against 12 s). The cost:
    # a worker that dies is not restarted; a job silent for five minutes is reported lost
    # (engine/jobs.py), and can be trained again once the server restarts its runner.
    for name, value in QUIET_WORKERS.items():
        os.environ.setdefault(name, value)  # read by Dask in the worker processes
    cluster = SubprocessCluster(n_workers=slots, threads_per_worker=1, dashboard_address=None,
                                silence_logs=logging.ERROR, worker_class="distributed.Worker",
                                worker_kwargs={"memory_limit": 0})
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(slots, timeout=WORKER_START_SECONDS)
    client.run(warm_up)  # every worker imports Keras now, not during a learner's first run
    return Runner(client, cluster)


def warm_up() -> None:
    import keras  # noqa: F401  (TensorFlow's import takes seconds)


def job_slots() -> int:
    text = os.environ.get(JOB_SLOTS_VARIABLE, "1").strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{JOB_SLOTS_VARIABLE} must be a whole number of at least 1, "
                         f"not {text!r}.")
    return int(text)


def shut_down() -> None:
    """Stop this process's runner (tests; a server stops it by exiting)."""
    global _runner
    with _runner_lock:
        if _runner is not None:
            _runner.close()
            _runner = None
