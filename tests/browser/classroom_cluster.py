"""Keras Classroom past one machine, started for real on this one (README, "Past one machine").

A Dask scheduler, two training workers started by deploy/worker.sh, two app replicas
(`streamlit run streamlit_app.py` with KERAS_CLASSROOM_SCHEDULER and the same data
directory) and Debian's nginx in front of them, configured by the very template that
deploy/ ships (deploy/nginx-classroom.conf.template). Only the process plumbing around that
template (pid file, logs, temporary folders, a free port) is the test's own.
"""

import contextlib
import dataclasses
import getpass
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import typing
import urllib.request

import pytest

from tests.browser import conftest as browser

REPO_ROOT = browser.REPO_ROOT
TEMPLATE = REPO_ROOT / "deploy" / "nginx-classroom.conf.template"
WORKER_SCRIPT = REPO_ROOT / "deploy" / "worker.sh"
PLACEHOLDERS = ("CLASSROOM_LISTEN", "CLASSROOM_REPLICA_1", "CLASSROOM_REPLICA_2")
AFFINITY_COOKIE = "classroom_replica"
SCHEDULER_VARIABLE = "KERAS_CLASSROOM_SCHEDULER"
WORKERS = 2
# Each worker imports TensorFlow before it registers; two at once on a busy 2-core machine.
WORKER_START_SECONDS = 240
LOG_LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d+) replica=(?P<replica>\S*) '
                      r'affinity=(?P<affinity>\S*)$')


def nginx_command() -> str:
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack); skipped locally when
    it is not installed, a failure under CI (scripts/run_tests.sh installs it)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                      else None)
    if found is None:
        reason = "nginx is not installed (apt-get install nginx; scripts/run_tests.sh does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found


@dataclasses.dataclass
class Cluster:
    """The running system: `url` is nginx's, the only address a learner uses."""

    url: str
    replicas: list  # host:port of each app replica, as nginx names them in its log
    scheduler: str  # the Dask scheduler's address, tcp://host:port
    access_log: pathlib.Path  # nginx's stdout: one line per request (the template's format)
    dask: typing.Any  # a distributed.Client of the test's own, to ask the workers

    def log_lines(self) -> list:
        """nginx's access log so far, as dictionaries: request, status, replica, affinity."""
        text = self.access_log.read_text(errors="replace") if self.access_log.exists() else ""
        return [found.groupdict() for found in map(LOG_LINE.search, text.splitlines())
                if found]

    def replica_of(self, affinities: list, timeout: float = 30) -> dict:
        """Which replica nginx sends each of these cookie values to: one request each,
        then read from the access log."""
        for affinity in affinities:
            request = urllib.request.Request(f"{self.url}/_stcore/health",
                                             headers={"Cookie": f"{AFFINITY_COOKIE}={affinity}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        deadline = time.monotonic() + timeout
        while True:
            found = {line["affinity"]: line["replica"] for line in self.log_lines()
                     if line["affinity"] in affinities}
            if len(found) == len(affinities) or time.monotonic() > deadline:
                return found
            time.sleep(0.2)


@contextlib.contextmanager
def started(command: list, logs: pathlib.Path, name: str, environment: dict):
    """Run `command` from the repository root, its output in logs/<name>.log, and stop it
    (with everything it started) afterwards."""
    with open(logs / f"{name}.log", "wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        yield process
    finally:
        browser._stop(process)


def wait_until(check, what: str, seconds: float, processes: list, logs: pathlib.Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args[:3]} exited with {process.returncode} while "
                            f"waiting for {what}; logs in {logs}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {seconds:.0f} s; logs in {logs}", pytrace=False)
        time.sleep(0.25)


def render_nginx(logs: pathlib.Path, listen: int, replicas: list) -> pathlib.Path:
    """The shipped template filled in as envsubst fills it, and a main configuration around
    it that keeps nginx's pid, logs and temporary files in `logs`."""
    text = TEMPLATE.read_text()
    for name, value in zip(PLACEHOLDERS, [str(listen), *replicas]):
        text = text.replace("${" + name + "}", value)
    assert "${" not in text, "a placeholder of the nginx template was left unfilled"
    site = logs / "classroom.conf"
    site.write_text(text)
    temporary = "\n".join(f"    {kind}_temp_path {logs / kind};"
                          for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = logs / "nginx.conf"
    # `user` only counts for a root master: its workers then run as this same user, who
    # can enter these folders.
    main.write_text(f"daemon off;\nuser {getpass.getuser()};\nworker_processes 1;\n"
                    f"pid {logs / 'nginx.pid'};\nerror_log {logs / 'nginx-error.log'} notice;\n"
                    "events { worker_connections 512; }\n"
                    f"http {{\n{temporary}\n    include {site};\n}}\n")
    return main


@contextlib.contextmanager
def classroom_cluster(data_dir: pathlib.Path, logs: pathlib.Path):
    """Start the whole system on this machine and yield its `Cluster`; stop it afterwards."""
    from distributed import Client

    nginx = nginx_command()
    scheduler = f"tcp://127.0.0.1:{browser._free_port()}"
    environment = {**os.environ, SCHEDULER_VARIABLE: scheduler, "PYTHON": sys.executable,
                   browser.DATA_DIR_VARIABLE: str(data_dir), "TF_CPP_MIN_LOG_LEVEL": "2"}
    with contextlib.ExitStack() as stack:
        processes = [stack.enter_context(started(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", scheduler.rsplit(":", 1)[1], "--no-dashboard"],
            logs, "scheduler", environment))]
        for number in range(1, WORKERS + 1):
            processes.append(stack.enter_context(started(
                ["sh", str(WORKER_SCRIPT), "--name", f"worker-{number}", "--host", "127.0.0.1",
                 "--no-dashboard", "--local-directory", str(logs / f"worker-{number}")],
                logs, f"worker-{number}", environment)))
        client = stack.enter_context(Client(scheduler, timeout=60, set_as_default=False))
        wait_until(lambda: len(client.scheduler_info()["workers"]) >= WORKERS,
                   f"{WORKERS} Dask workers", WORKER_START_SECONDS, processes, logs)
        # Every replica signs Streamlit's cookies with the same secret, as deploy/ does.
        replica_environment = {SCHEDULER_VARIABLE: scheduler,
                               "STREAMLIT_SERVER_COOKIE_SECRET": "cluster-test-secret"}
        replica_urls = []
        for number in range(1, 3):
            folder = logs / f"replica-{number}"
            folder.mkdir()
            replica_urls.append(stack.enter_context(
                browser.running_server(data_dir, folder, replica_environment)))
        replicas = [url.removeprefix("http://") for url in replica_urls]
        listen = browser._free_port()
        main = render_nginx(logs, listen, replicas)
        processes.append(stack.enter_context(started(
            [nginx, "-p", str(logs), "-e", str(logs / "nginx-start.log"), "-c", str(main)],
            logs, "nginx", environment)))
        url = f"http://127.0.0.1:{listen}"
        wait_until(lambda: browser._health(f"{url}/_stcore/health") == "ok", "nginx answer",
                   30, processes, logs)
        yield Cluster(url, replicas, scheduler, logs / "nginx.log", client)
