"""The training runner's overhead for a lone learner: lesson 3's default run through the page
(Train pressed on the page, the job trained by the runner's worker, its status read every half
second as the page's live view does, then the page run once more to show the result) against
calling the training routine directly. (The live view is a fragment: in a browser only it
reruns while the job trains, not the whole page, so the poll reads the status as it does.)

    python -m benchmarks.job_runner [--repeats 3] [--data-dir DIR]

Same work on both sides: FashionSettings() (the classroom's defaults), one seed per
repeat, the same seeds both ways; both start warm (TensorFlow imported, the pictures read).
Prints each pair of times, then `like-for-like: direct ... s, through the page ... s, overhead
...% (median of N, spread ...)`. Target from the training-jobs issue: at most 5% slower.
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from streamlit.testing.v1 import AppTest  # noqa: E402

from engine import datasets  # noqa: E402
from engine import fashion_mnist  # noqa: E402
from engine import hosting  # noqa: E402
from engine import job_records  # noqa: E402
from engine import jobs  # noqa: E402
from engine import run_cache  # noqa: E402
from engine import runner as job_runner  # noqa: E402

PAGE = os.path.join(os.path.dirname(__file__), "..", "lessons", "fashion_mnist.py")
POLL_SECONDS = 0.5  # ui/job_view.py's live view


def direct(data, seed: int) -> float:
    started = time.perf_counter()
    fashion_mnist.train_fashion_mnist(data, fashion_mnist.FashionSettings(seed=seed))
    return time.perf_counter() - started


def through_the_page(seed: int) -> float:
    job = fashion_mnist.job(fashion_mnist.FashionSettings(seed=seed))
    jobs.forget(job)
    run_cache.discard(run_cache.run_folder(job.kind, job.key))
    app = AppTest.from_file(PAGE, default_timeout=600)
    app.run()
    app.number_input(key="setting-seed").set_value(seed).run()
    started = time.perf_counter()
    app.button(key="train").click().run()
    while job_records.read_status(job.kind, job.key).active:
        time.sleep(POLL_SECONDS)
    app.run()
    assert any(metric.label == "test accuracy" for metric in app.metric), "no result shown"
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", help="a data directory holding Fashion-MNIST")
    arguments = parser.parse_args()
    if arguments.data_dir:
        os.environ[hosting.DATA_DIR_VARIABLE] = arguments.data_dir
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; data directory {hosting.data_dir()}")
    data = datasets.fashion_mnist_kept()
    job_runner.runner()
    direct(data, seed=100)  # warm both sides: traced functions, the worker's pictures
    through_the_page(seed=100)
    pairs = []
    for seed in range(1, arguments.repeats + 1):
        pair = direct(data, seed), through_the_page(seed)
        pairs.append(pair)
        print(f"seed {seed}: direct {pair[0]:.2f} s, through the page {pair[1]:.2f} s, "
              f"overhead {100 * (pair[1] / pair[0] - 1):+.1f}%")
    overheads = [100 * (page / alone - 1) for alone, page in pairs]
    print(f"like-for-like: direct {statistics.median(p[0] for p in pairs):.2f} s, through the "
          f"page {statistics.median(p[1] for p in pairs):.2f} s, overhead "
          f"{statistics.median(overheads):+.1f}% (median of {len(pairs)}, spread "
          f"{min(overheads):+.1f}% to {max(overheads):+.1f}%)")
    job_runner.shut_down()


if __name__ == "__main__":
    main()
