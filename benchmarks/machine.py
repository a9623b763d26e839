"""The machine and the versions a browser benchmark ran on, as app_memory and class_load print
them (benchmarks/compare.py prints the engine benchmarks' own machine line)."""

import importlib.metadata
import os
import pathlib
import platform


def machine_line() -> str:
    memory_kb = next(int(line.split()[1]) for line in
                     pathlib.Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory_kb / 1024 ** 2:.1f} GB RAM, "
            f"load average {os.getloadavg()[0]:.1f} at start")


def versions_line() -> str:
    packages = ("streamlit", "tensorflow", "keras", "playwright")
    return f"Python {platform.python_version()}, " + ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in packages)
