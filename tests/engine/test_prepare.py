"""Preparing a class: the readiness table (engine/readiness.py) on a fresh and a prepared data
directory, and `python -m engine.prepare` (engine/prepare.py) with the data present and with a
dataset missing and no network. Only lessons 1 and 2 are trained here (seconds); the other
lessons' default runs are checked as reported, not trained."""

import os
import re
import socket
import subprocess
import sys

from engine import course_assets
from engine import job_records
from engine import prepare
from engine import readiness
from engine import run_cache

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def needs_of(lessons, number):
    return next(lesson for lesson in lessons if lesson.number == number).needs


def test_a_fresh_data_directory_has_no_lesson_ready(empty_data_dir):
    lessons = readiness.lesson_readiness()

    assert [lesson.number for lesson in lessons] == [1, 2, 3, 4, 5, 6, 7]
    assert not any(lesson.ready for lesson in lessons)
    assert readiness.ready_line(lessons) == "ready 0 of 7"
    (run,) = needs_of(lessons, 2)
    assert run.state == readiness.MISSING and run.job.kind == "hello-neuron"
    assert run.detail == "Not trained yet."
    fashion, runs = needs_of(lessons, 3)
    assert (fashion.asset_key, fashion.state) == ("fashion-mnist", readiness.MISSING)
    assert "train-images-idx3-ubyte.gz" in fashion.detail
    assert runs.state == readiness.MISSING and runs.job is None
    assert "Fashion-MNIST" in runs.detail
    # Neither network's weights are here: the lesson needs the course's InceptionV3.
    lesson_7 = {need.asset_key: need for need in needs_of(lessons, 7)}
    assert not lesson_7["inception-v3-notop"].optional
    assert lesson_7["mobilenet-v1-0.25-224-notop"].optional
    rps = [need for need in needs_of(lessons, 5) if need.asset_key == "rps"]
    assert rps and rps[0].optional and rps[0].state == readiness.MISSING
    assert any("python -m engine.prepare" in sentence for sentence in readiness.advice(lessons))
    assert not (empty_data_dir / "runs").exists()  # reading the table trains nothing


def test_prepare_trains_lessons_1_and_2_and_reports_the_others(classroom_data_dir, capsys):
    for job in (readiness.LESSONS[0].default_runs()[0][1],
                readiness.LESSONS[1].default_runs()[0][1]):
        run_cache.discard(run_cache.run_folder(job.kind, job.key))  # an earlier test's run

    exit_code = prepare.main(["--lessons", "1", "2"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert output.rstrip().endswith("ready 2 of 2")
    lessons = readiness.lesson_readiness()
    for number in (1, 2):
        (run,) = needs_of(lessons, number)
        assert run.state == readiness.READY
        assert job_records.read_status(run.job.kind, run.job.key).owner == prepare.OWNER
        assert run.what in output
    for lesson in lessons[2:]:
        for need in lesson.needs:
            if need.asset_key in ("rps", "inception-v3-notop"):  # not in the offline data
                assert need.optional and need.state == readiness.MISSING, need
            elif need.asset_key:
                assert need.state == readiness.READY, need
            else:
                stored = run_cache.run_folder(need.job.kind, need.job.key).is_dir()
                assert need.state == (readiness.READY if stored else readiness.MISSING), need
    # Only MobileNet's weights are here, so lesson 7 runs on MobileNet.
    (pair,) = [need for need in needs_of(lessons, 7) if need.job]
    assert pair.job.settings.base_name == "MobileNet 0.25"


def test_a_second_prepare_finds_everything_ready_and_trains_nothing(classroom_data_dir,
                                                                   capsys):
    prepare.main(["--lessons", "1", "2"])
    trained_before = len(job_records.trainings())
    capsys.readouterr()

    exit_code = prepare.main(["--lessons", "1", "2"])

    output = capsys.readouterr().out
    assert exit_code == 0 and output.rstrip().endswith("ready 2 of 2")
    assert len(job_records.trainings()) == trained_before
    rows = [line for line in output.splitlines() if line.startswith(("1. ", "2. "))]
    # Ready, and no time taken: nothing was downloaded or trained.
    assert len(rows) == 2 and all(re.search(r" ready$", row) for row in rows), rows


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def test_without_network_the_table_names_what_is_missing_and_how_to_get_it(empty_data_dir):
    # Every download goes through a proxy that refuses connections: offline, wherever it runs.
    proxy = f"http://127.0.0.1:{closed_port()}"
    environment = {**os.environ, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy,
                   "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}

    finished = subprocess.run([sys.executable, "-m", "engine.prepare", "--lessons", "2", "3"],
                              cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                              timeout=300)

    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr + finished.stdout
    output = finished.stdout
    assert output.rstrip().endswith("ready 1 of 2")  # lesson 2 needs no download
    fashion_row = next(line for line in output.splitlines()
                       if course_assets.FASHION_MNIST.title in line and "missing" in line)
    assert fashion_row.startswith("3. Fashion-MNIST")
    flat = " ".join(output.split())
    assert "could not be downloaded" in flat and "the connection was refused" in flat
    assert str(empty_data_dir / "datasets" / "fashion-mnist") in flat
    assert "python -m engine.prepare on a computer with internet" in flat.replace("`", "")
    assert "They wait for Fashion-MNIST" in flat


def test_advice_asks_for_downloads_only_when_a_needed_file_is_missing():
    optional = readiness.Need(5, "Rock, Paper, Scissors (optional)", readiness.MISSING,
                              optional=True, asset_key="rps")
    needed = readiness.Need(3, "Fashion-MNIST", readiness.MISSING, asset_key="fashion-mnist")
    untrained = readiness.Need(3, "default run", readiness.MISSING)
    only_optional = [readiness.LessonReadiness(5, "Real-world images", (optional, untrained))]
    assert readiness.advice(only_optional) == [readiness.HOW_TO_TRAIN]
    with_needed = [readiness.LessonReadiness(3, "Fashion-MNIST", (needed,))]
    assert readiness.advice(with_needed) == [readiness.HOW_TO_DOWNLOAD]
