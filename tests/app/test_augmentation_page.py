import pytest

from tests.app import helpers
from ui import between_lessons

PAGE = "lessons/augmentation.py"


@pytest.fixture
def page(classroom_data_dir):
    return helpers.run_page(PAGE, timeout=300)


def preview_pixels(app):
    figure = helpers.chart_figure(app, "augment-preview")
    return [trace["source"] if "source" in trace else str(trace.get("z"))[:2000]
            for trace in figure["data"]]


def test_preview_shows_nine_draws_and_reroll_changes_them(page):
    before = preview_pixels(page)
    assert len(before) == 9 and len(set(before)) > 1  # nine different draws
    page.button(key="augment-reroll").click().run()
    helpers.assert_no_exception(page)
    assert preview_pixels(page) != before
    assert "seed 1" in next(caption.value for caption in page.caption if "draws" in caption.value)


def test_no_augmentation_gives_nine_identical_pictures(page):
    page.button(key="aug-none").click().run()
    helpers.assert_no_exception(page)
    assert len(set(preview_pixels(page))) == 1


def test_code_in_both_dialects_follows_the_sliders(page):
    codes = [block.value for block in page.code]
    assert any("ImageDataGenerator(" in code and "rotation_range=40" in code for code in codes)
    assert any("keras.layers.RandomRotation(factor=40 / 360" in code for code in codes)
    page.slider(key="augment-rotation_range").set_value(90).run()
    codes = [block.value for block in page.code]
    assert any("rotation_range=90" in code for code in codes)
    # Lesson 7 offers what the learner set here.
    assert page.session_state[between_lessons.AUGMENTATION_FROM_LESSON_6].rotation_range == 90
    assert any("factor=90 / 360" in code for code in codes)
    assert any("validation_datagen = ImageDataGenerator(rescale=1./255)" in code
               for code in codes)


def train_both_for_two_epochs_and_compare(page):
    """Both runs of the experiment, 2 epochs each, through their Train buttons; the page's
    table lists both and the comparison chart draws both runs' curves. Returns the table."""
    page.slider(key="augment-epochs").set_value(2).run()
    for key in ("train-plain", "train-augmented"):
        helpers.train(page, key)
    table = next(frame.value for frame in page.dataframe if "run" in frame.value)
    assert list(table["run"]) == ["without", "with augmentation"]
    figure = helpers.chart_figure(page, "augment-compare")
    assert len(figure["data"]) == 4  # training and validation, for both runs
    return table


def test_with_and_without_train_from_the_same_start_and_compare(page):
    train_both_for_two_epochs_and_compare(page)
    assert "larger-gap" in helpers.asked_questions(page, "augmentation")


def test_horses_or_humans_trains_both_runs_and_says_why_augmentation_does_not_help(page):
    """The course's other augmentation lesson: chosen on the page, it travels in the link,
    the page gives the course's explanation, and both runs train on horses or humans as
    jobs, as the cats-vs-dogs pair does."""
    from engine import augment
    from engine import real_world
    from engine import run_cache

    assert page.radio(key="augment-experiment").value == "Cats vs dogs"  # the default
    assert not any("Why augmentation does not help" in info.value for info in page.info)
    page.radio(key="augment-experiment").set_value("Horses or humans").run()
    helpers.assert_no_exception(page)
    assert dict(page.query_params)["experiment"] in ("horse-or-human", ["horse-or-human"])
    note = next(info.value for info in page.info if "Why augmentation does not help" in
                info.value)
    assert "Exploring augmentation with horses vs. humans" in note
    assert "too close to the training pictures" in note
    table = train_both_for_two_epochs_and_compare(page)
    for job in real_world.augmentation_jobs(augment.COURSE_SETTINGS, 2,
                                            dataset="horse-or-human"):
        run = run_cache.load_run(job.kind, job.key)
        assert run.extras["class_names"] == ["horses", "humans"]
        assert len(run.history["val_accuracy"]) == 2
        # The table shows these very runs.
        assert run.history["val_accuracy"][-1] in list(table["final validation accuracy"])


def test_with_every_augmentation_off_both_runs_are_one_run(page):
    """Rescale and fill mode change nothing when no layer moves pixels, so the two runs are
    the same settings: trained once, identical curves."""
    page.button(key="aug-none").click().run()
    page.selectbox(key="augment-fill_mode").set_value("reflect").run()
    page.slider(key="augment-epochs").set_value(2).run()
    helpers.train(page, "train-plain")
    assert "train-augmented" not in [button.key for button in page.button]
    table = next(frame.value for frame in page.dataframe if "run" in frame.value)
    assert list(table["final validation accuracy"])[0] == list(
        table["final validation accuracy"])[1]


def test_no_augmentation_keeps_rescaling_in_its_code_as_the_runs_do(page):
    page.button(key="aug-none").click().run()
    helpers.assert_no_exception(page)
    assert page.checkbox(key="augment-rescale").value
    codes = [block.value for block in page.code]
    assert any("ImageDataGenerator(rescale=1./255)" in code for code in codes)
    assert any("keras.layers.Rescaling(1.0 / 255)" in code for code in codes)
    assert any("Rescaling is on in both runs" in caption.value for caption in page.caption)


def test_unticking_rescale_is_said_against_the_runs_that_still_rescale(page):
    page.checkbox(key="augment-rescale").uncheck().run()
    helpers.assert_no_exception(page)
    assert not any("Rescaling is on in both runs" in caption.value for caption in page.caption)
    assert any("rescale=1./255 is unticked" in caption.value for caption in page.caption)
