"""The real app server for benchmarks and browser tests: `streamlit run streamlit_app.py` on a
free port of 127.0.0.1, with a given data directory, started as a teacher would start it and
waited for until `/_stcore/health` answers "ok". One place for the benchmarks (app_memory,
class_load, open_from_cache) and tests/browser/conftest.py.
"""

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA_DIR_VARIABLE = "KERAS_CLASSROOM_DATA_DIR"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class ServerDidNotStart(RuntimeError):
    """Streamlit exited, or did not answer its health check in time; the message holds the
    end of its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def health(url: str) -> str:
    """What `url` answers ("" when nothing does)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return ""


def stop(process: subprocess.Popen) -> None:
    """Terminate the server and everything it started (it leads its own process group)."""
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait_s)
    # Whatever is left in the group once the server has gone: an orphaned Dask scheduler was
    # found after a server stopped a few seconds after its first page run (its runner was
    # probably still starting), and nobody else would end it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_server(data_dir: pathlib.Path, logs: pathlib.Path, extra_environment=None,
                   port: int = None, start_timeout_s: float = START_TIMEOUT_S,
                   app: str = "streamlit_app.py"):
    """Yields (process, base URL without a trailing slash) of the server on `port` (default:
    a free one), its output in `logs`/stdout.log and stderr.log, with `extra_environment` (a
    dict) on top of this process's environment. `app`: the script `streamlit run` is given,
    relative to the repository (another app only for benchmarks/stack_floor.py). Raises
    ServerDidNotStart when it does not answer within `start_timeout_s` seconds; stops the
    server on leaving."""
    port = port or free_port()
    stdout_path, stderr_path = logs / "stdout.log", logs / "stderr.log"
    environment = dict(os.environ, **{DATA_DIR_VARIABLE: str(data_dir)})
    environment.update(extra_environment or {})
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    command = [sys.executable, "-m", "streamlit", "run", app,
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    # Log files, not pipes: nobody reads a pipe meanwhile, and a full pipe blocks the server.
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=stdout,
                                   stderr=stderr, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"

    def output() -> str:
        return (f"--- stderr ---\n{stderr_path.read_text(errors='replace')[-8000:]}\n"
                f"--- stdout ---\n{stdout_path.read_text(errors='replace')[-4000:]}")

    try:
        deadline = time.monotonic() + start_timeout_s
        while health(f"{base_url}/_stcore/health") != "ok":
            if process.poll() is not None:
                raise ServerDidNotStart(f"streamlit exited with code {process.returncode} "
                                        f"before it was healthy:\n{output()}")
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"streamlit did not answer {base_url}/_stcore/health "
                                        f"with 'ok' within {start_timeout_s:.0f} s:\n{output()}")
            time.sleep(0.25)
        yield process, base_url
    finally:
        stop(process)
