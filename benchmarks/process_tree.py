"""Memory and CPU of a process and everything below it, read from /proc (Linux): the app
server with its Dask runner's workers. Used by benchmarks/app_memory.py and
benchmarks/class_load.py.

Memory: the sum of VmRSS over the tree, sampled every SAMPLE_INTERVAL_S in a thread (MiB).
CPU: user + system seconds of every live process of the tree, plus what each has collected
from its children that ended (cutime + cstime), so a worker that exits still counts.
"""

import dataclasses
import os
import pathlib
import threading
import time

SAMPLE_INTERVAL_S = 0.5
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list:
    """/proc/<pid>/stat after the command name, so fields[0] is the state, fields[1] the
    ppid, fields[11:15] utime, stime, cutime, cstime in clock ticks ([] once it has ended)."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def descendants(root: int) -> list:
    """`root` and every process below it, from the ppid field of /proc/*/stat."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        fields = stat_fields(int(stat.parent.name))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting.extend(children.get(pid, ()))
    return found


def status_kb(pid: int) -> dict:
    """VmRSS, VmHWM, RssAnon and RssFile of one process, in kB ({} once it has ended)."""
    values = {}
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


def cpu_seconds(pid: int, with_children: bool = True) -> float:
    """User + system CPU seconds of one process; with its ended children's if asked."""
    fields = stat_fields(pid)
    if not fields:
        return 0.0
    ticks = fields[11:15] if with_children else fields[11:13]
    return sum(int(value) for value in ticks) / CLOCK_TICKS_PER_S


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of `root` and every process below it, ended children included."""
    return sum(cpu_seconds(pid) for pid in descendants(root))


@dataclasses.dataclass
class Sample:
    seconds: float  # since the sampler started
    rss_mb: float  # summed over the tree, MiB
    processes: int
    server: dict  # the root's own status_kb


class TreeSampler(threading.Thread):
    """Sums VmRSS over the process tree every SAMPLE_INTERVAL_S, in the background, until
    `halt` is set; `after_sample()` is a hook for subclasses."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True, name="memory sampler")
        self.root_pid = root_pid
        self.samples, self.started = [], time.monotonic()
        self.halt = threading.Event()

    def now(self) -> float:
        return time.monotonic() - self.started

    def run(self):
        while not self.halt.is_set():
            pids = descendants(self.root_pid)
            statuses = {pid: status_kb(pid) for pid in pids}
            total = sum(status.get("VmRSS", 0) for status in statuses.values()) / 1024
            self.samples.append(Sample(self.now(), total, len(pids),
                                       statuses.get(self.root_pid, {})))
            self.after_sample()
            self.halt.wait(SAMPLE_INTERVAL_S)

    def after_sample(self) -> None:
        pass

    def peak(self, start: float = 0.0, end: float = float("inf")):
        """The sample of the largest tree RSS between `start` and `end` (None if none)."""
        inside = [sample for sample in list(self.samples) if start <= sample.seconds <= end]
        return max(inside, key=lambda sample: sample.rss_mb) if inside else None

    def server_hwm_mb(self) -> float:
        """The root's VmHWM now: the kernel's peak resident set, which no sampling misses."""
        return status_kb(self.root_pid).get("VmHWM", 0) / 1024

    def tree_hwm_mb(self) -> float:
        return sum(status_kb(pid).get("VmHWM", 0) for pid in descendants(self.root_pid)) / 1024


def wait_until_quiet(root: int, cpu_s: float = 0.2, window_s: float = 2.0,
                     timeout_s: float = 180.0) -> float:
    """Wait until the tree uses less than `cpu_s` CPU seconds in `window_s` seconds (a server
    done starting its workers), at most `timeout_s`; returns the seconds waited. A process
    that gets no CPU at all (a machine busy with higher priority work) looks quiet too."""
    started = time.monotonic()
    before = tree_cpu_seconds(root)
    while time.monotonic() - started < timeout_s:
        time.sleep(window_s)
        now = tree_cpu_seconds(root)
        if now - before < cpu_s:
            break
        before = now
    return time.monotonic() - started
