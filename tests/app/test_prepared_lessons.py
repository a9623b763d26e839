"""What `python -m engine.prepare` trains is what the pages show: each lesson page, opened as a
new learner, asks for exactly the runs engine/readiness.py lists as its default runs (read
through the page's own code path, by recording the jobs it hands to the job view); prepared
lessons open straight from the cache; and the home page shows the readiness table."""

import pytest
from streamlit.testing.v1 import AppTest

from engine import prepare
from engine import readiness
from engine import runner as job_runner
from tests.app import helpers
from ui import job_view
from ui import lesson_list as lesson_pages


class JobRecorder:
    """Stands in for job_view.train_or_show: keeps the job a page asks for and answers that
    there is no run yet, so the page ends there (nothing is trained)."""

    def __init__(self):
        self.jobs = []

    def __call__(self, job, *arguments, **options):
        self.jobs.append(job)
        return None


@pytest.mark.parametrize("lesson", readiness.LESSONS, ids=lambda lesson: str(lesson.number))
def test_a_new_learner_asks_for_the_runs_prepare_trains(lesson, classroom_data_dir,
                                                        monkeypatch):
    page = lesson_pages.LESSONS[lesson.number - 1]
    assert page.title == f"{lesson.number}. {lesson.title}"
    recorder = JobRecorder()
    monkeypatch.setattr(job_view, "train_or_show", recorder)

    app = AppTest.from_file(str(helpers.REPOSITORY / page.file), default_timeout=300)
    app.run()

    helpers.assert_no_exception(app)
    prepared = [job for _, job in lesson.default_runs()]
    if lesson.number == 4:
        # The page asks for lesson 3's dense network only once its convnet is shown; that one
        # is lesson 3's default run, which lesson 3's case checks against its page.
        prepared, (dense,) = prepared[:1], prepared[1:]
        assert dense.key == readiness.LESSONS[2].default_runs()[0][1].key
    assert [(job.kind, job.key) for job in recorder.jobs] == [
        (job.kind, job.key) for job in prepared]


def test_prepared_lessons_open_straight_from_the_cache(classroom_data_dir):
    assert prepare.main(["--lessons", "1", "2"]) == 0

    for page in lesson_pages.LESSONS[:2]:
        app = AppTest.from_file(str(helpers.REPOSITORY / page.file), default_timeout=120)
        app.run()
        helpers.assert_no_exception(app)
        captions = " ".join(caption.value for caption in app.caption)
        assert "straight from the cache" in captions, page.file


def readiness_table(app) -> list:
    (table,) = [frame.value for frame in app.dataframe if "needs" in frame.value.columns]
    return table.to_dict("records")


def test_the_home_page_shows_the_readiness_table(empty_data_dir, monkeypatch):
    # The home page trains nothing: no training workers for this short test to leave behind.
    monkeypatch.setattr(job_runner, "start_in_background", lambda: None)
    app = AppTest.from_file(str(helpers.REPOSITORY / "streamlit_app.py"), default_timeout=120)
    app.run()

    helpers.assert_no_exception(app)
    assert "Ready: 0 of 7 lessons" in app.warning[0].value
    assert "python -m engine.prepare" in app.warning[0].value
    rows = readiness_table(app)
    expected = readiness.table_rows(readiness.lesson_readiness())
    assert [(row["lesson"], row["needs"], row["state"]) for row in rows] == [
        (row["lesson"], row["needs"], row["state"]) for row in expected]
    assert {row["state"] for row in rows} == {readiness.MISSING}

    assert prepare.main(["--lessons", "1", "2"]) == 0  # they need no data
    app.run()
    rows = readiness_table(app)
    assert [row["state"] for row in rows if row["lesson"].startswith(("1.", "2."))] == [
        readiness.READY] * 2
    assert "Ready: 2 of 7 lessons" in app.warning[0].value
