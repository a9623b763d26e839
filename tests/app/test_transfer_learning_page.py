import pytest

from tests.app import helpers
from ui import between_lessons

PAGE = "lessons/transfer_learning.py"


@pytest.fixture
def page(classroom_data_dir):
    return helpers.run_page(PAGE, timeout=600)


def test_offline_classroom_gets_mobilenet_and_its_counts(page):
    # The shared data has MobileNet's ImageNet weights but not InceptionV3's 88 MB.
    assert page.radio(key="transfer-base").value == "MobileNet 0.25"
    counts = page.dataframe[0].value
    assert list(counts["trainable"]) == [213072, 0]  # before and after freezing
    assert list(counts["non-trainable"]) == [5472, 218544]
    cuts = helpers.chart_figure(page, "transfer-head-sizes")
    assert len(cuts["data"][0]["x"]) == 3


def test_inceptionv3_without_weights_says_what_is_missing(page, classroom_data_dir):
    page.radio(key="transfer-base").set_value("InceptionV3").run()
    helpers.assert_no_exception(page)
    message = page.error[0].value
    assert "Transfer learning needs pretrained weights" in message
    assert "python -m engine.prepare" in message and str(classroom_data_dir) not in message


def test_random_weights_are_labelled_and_mixed7_is_the_default_cut(page):
    page.radio(key="transfer-base").set_value("InceptionV3").run()
    page.radio(key="transfer-weights-source").set_value(
        "no pretrained knowledge (random weights)").run()
    helpers.assert_no_exception(page)
    assert "No pretrained knowledge" in page.warning[0].value
    assert page.select_slider(key="transfer-cut").value == "mixed7"
    cuts = next(frame.value for frame in page.dataframe if "layer" in frame.value)
    mixed7 = cuts[cuts["layer"] == "mixed7"]
    assert list(mixed7["output per picture"]) == ["7 x 7 x 768"]
    assert 38_000_000 < int(mixed7["new head's parameters"].iloc[0]) < 39_000_000


def test_paired_training_with_real_mobilenet_weights(page):
    page.slider(key="transfer-epochs").set_value(2).run()
    helpers.train(page, "transfer-train")
    helpers.assert_no_exception(page)
    table = next(frame.value for frame in page.dataframe if "classifier" in frame.value)
    assert list(table["classifier"]) == ["without dropout", "with dropout"]
    assert min(table["final validation accuracy"]) >= 0.9  # real ImageNet features
    figure = helpers.chart_figure(page, "transfer-compare")
    assert len(figure["data"]) == 4
    # The sentence on the gaps is the run's own (both branches on crafted histories:
    # tests/engine/test_dropout_gaps.py).
    verdict_matches(page, stored_pair_history(epochs=2))
    assert "larger-gap" in helpers.asked_questions(page, "transfer-learning")
    # The course's full model, head weights put back, is ready to predict and download.
    assert page.radio(key="transfer-head").options == ["without dropout", "with dropout"]
    page.radio(key="transfer-head").set_value("with dropout").run()
    helpers.assert_no_exception(page)
    labels = [button.proto.label for button in page.get("download_button")]
    assert labels == ["model (.keras)", "comparison (.csv)", "script (.py)"]


def stored_pair_history(**changes) -> dict:
    """{classifier: history} of the run the server stored for the lesson's default pair with
    these changes: the run the page shows, read from the run cache, not from the page."""
    import dataclasses

    from engine import dropout_pair
    from engine import run_cache

    job = dropout_pair.job(dataclasses.replace(dropout_pair.default_job().settings, **changes))
    run = run_cache.load_run(job.kind, job.key)
    assert run is not None and run.complete
    return dropout_pair.histories(run.history)


def verdict_matches(page, histories: dict) -> float:
    """Check the page's sentence on the gaps against the run's history: both final gaps, in
    points, and which is larger (2 points or more apart) or about the same. Returns the gap
    without dropout minus the gap with it."""
    gaps = {name: history["accuracy"][-1] - history["val_accuracy"][-1]
            for name, history in histories.items()}
    without, with_dropout = gaps["without dropout"], gaps["with dropout"]
    sentence, = [block.value for block in page.markdown
                 if "points without dropout" in block.value]
    assert (f"({100 * without:.1f} points without dropout, {100 * with_dropout:.1f} points "
            "with Dropout(0.2)") in sentence
    if without - with_dropout >= 0.02:
        assert sentence.startswith("The classifier without dropout has the larger gap")
    elif with_dropout - without >= 0.02:
        assert sentence.startswith("The classifier with dropout has the larger gap")
    else:
        assert sentence.startswith("The two gaps are about the same")
    narrowed = without - with_dropout >= 0.02 and without >= 0.03
    assert ("Dropout narrowed it by" in sentence) == narrowed
    assert ("did not narrow" in sentence) == (not narrowed)
    return without - with_dropout


def test_fine_tuning_unlocks_a_block_and_reports_before_and_after(page):
    page.select_slider(key="transfer-size").set_value(128).run()
    page.slider(key="transfer-epochs").set_value(2).run()
    helpers.train(page, "transfer-train")
    assert page.selectbox(key="transfer-unfreeze-after").options == ["conv_pw_11_relu",
                                                                     "conv_pw_5_relu"]
    page.slider(key="transfer-fine-tune-epochs").set_value(1).run()
    helpers.train(page, "transfer-fine-tune")
    helpers.assert_no_exception(page)
    metrics = helpers.metric_values(page)
    before, after = (metrics[f"validation accuracy {when}"] for when in ("before", "after"))
    unlocked = metrics["parameters training"]
    assert float(before) >= 0.9 and float(after) >= 0.9  # gentle: nothing wrecked
    assert int(unlocked.replace(",", "")) > 4096 * 1024  # the head and blocks 12 and 13
    labels = [button.proto.label for button in page.get("download_button")]
    assert labels[-3:] == ["the fine-tuned model (.keras)", "its history (.csv)",
                           "script (.py)"]


def test_a_link_carries_part_5_s_choices_and_can_lock_them(classroom_data_dir):
    from tests.app.test_lesson_links import address, open_link

    link = {"picture_size": "128", "epochs": "2", "unfreeze_after": "conv_pw_5_relu",
            "fine_tuning_epochs": "3", "lock": "fine_tuning_epochs"}
    app = open_link(PAGE, link)
    helpers.train(app, "transfer-train")
    assert app.selectbox(key="transfer-unfreeze-after").value == "conv_pw_5_relu"
    epochs = app.slider(key="transfer-fine-tune-epochs")
    assert (epochs.value, epochs.disabled) == (3, True)
    assert address(app).get("unfreeze_after") == ["conv_pw_5_relu"]
    assert address(app).get("lock") == ["fine_tuning_epochs:3"]
    # The nearest block is the default, and the address says nothing of it.
    app.selectbox(key="transfer-unfreeze-after").set_value("conv_pw_11_relu").run()
    assert "unfreeze_after" not in address(app)


def test_augmentation_set_in_lesson_6_is_offered_with_its_keras_code(page):
    from engine import augment

    assert page.radio(key="transfer-augmentation").options == ["none", "the course's values"]
    page.session_state[between_lessons.AUGMENTATION_FROM_LESSON_6] = augment.AugmentSettings(
        rotation_range=10, horizontal_flip=True)
    page.run()
    choice = page.radio(key="transfer-augmentation")
    assert choice.options == ["none", "the course's values", "yours, from lesson 6"]
    choice.set_value("yours, from lesson 6").run()
    helpers.assert_no_exception(page)
    shown = "\n".join(block.value for block in page.code)
    assert "RandomRotation" in shown and "RandomFlip" in shown
    assert "RandomZoom" not in shown  # the course's zoom is not in the learner's settings
    page.select_slider(key="transfer-size").set_value(128).run()
    page.select_slider(key="transfer-views").set_value(2).run()
    page.slider(key="transfer-epochs").set_value(1).run()
    helpers.train(page, "transfer-train")
    helpers.assert_no_exception(page)
    assert any("approximate: 2 augmented views" in caption.value for caption in page.caption)


def test_a_link_sets_the_lesson_up_and_keeps_up_with_the_controls(classroom_data_dir):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(helpers.REPOSITORY / PAGE), default_timeout=120)
    app.query_params["network"] = "MobileNet 0.25"
    app.query_params["cut"] = "conv_pw_11_relu"
    app.query_params["epochs"] = "3"
    app.query_params["dropout_rate"] = "0.7"  # not a rate the lesson offers
    app.run()
    helpers.assert_no_exception(app)
    assert app.radio(key="transfer-base").value == "MobileNet 0.25"
    assert app.select_slider(key="transfer-cut").value == "conv_pw_11_relu"
    assert app.slider(key="transfer-epochs").value == 3
    assert app.select_slider(key="transfer-dropout").value == 0.2
    assert any("dropout_rate=0.7" in warning.value for warning in app.warning)
    app.slider(key="transfer-epochs").set_value(5).run()
    link = dict(app.query_params)
    assert link["epochs"] in ("5", ["5"]) and "dropout_rate" not in link


def shown_code(app) -> str:
    return "\n".join(block.value for block in app.code)


def trained_scaling(page, scaling: str) -> str:
    """Choose `scaling`, train one epoch at 128 px and return the code the page shows."""
    from engine import transfer

    page.radio(key="transfer-scaling").set_value(scaling).run()
    page.select_slider(key="transfer-size").set_value(128).run()
    page.slider(key="transfer-epochs").set_value(1).run()
    helpers.train(page, "transfer-train")
    helpers.assert_no_exception(page)
    title = transfer.SCALINGS[scaling].title
    assert any(f"Pixel scaling: {title}." in block.value for block in page.markdown)
    # The run says how its features' pictures were scaled, from what the job stored.
    assert f"Pixel scaling of these features: {title}." in [
        caption.value.split(" Features:")[0] for caption in page.caption]
    table = next(frame.value for frame in page.dataframe if "classifier" in frame.value)
    assert min(table["final validation accuracy"]) >= 0.9
    return shown_code(page)


def test_each_scaling_trains_and_shows_its_own_code(page):
    from engine import transfer

    default = transfer.base_choice("MobileNet 0.25").default_scaling
    assert page.radio(key="transfer-scaling").value == default
    assert page.radio(key="transfer-scaling").options == [
        scaling.title + (" (the lesson's default)" if key == default else "")
        for key, scaling in transfer.SCALINGS.items()]
    code = trained_scaling(page, "course")
    assert "def scale_as_the_course" in code and "pictures / 255.0" in code
    assert "def scale_as_the_network" not in code
    code = trained_scaling(page, "network")  # the network's own preprocess_input
    assert "def scale_as_the_network" in code and "mobilenet.preprocess_input" in code
    assert "def scale_as_the_course" not in code
    # What the difference costs, with the measured figures (checked against BENCHMARKS.md).
    from ui import transfer_learning_choices

    mean, lowest = transfer_learning_choices.MEASURED_SCALING["cats-vs-dogs"]["course"]
    assert any(f"{mean:.3f} (lowest {lowest:.3f})" in block.value
               and "benchmarks/pixel_scaling.py" in block.value for block in page.markdown)


def test_the_scaling_follows_the_link_and_each_network_has_its_own_default(
        classroom_data_dir):
    from streamlit.testing.v1 import AppTest

    from engine import transfer

    app = AppTest.from_file(str(helpers.REPOSITORY / PAGE), default_timeout=120)
    app.query_params["pixel_scaling"] = "course"
    app.run()
    helpers.assert_no_exception(app)
    assert app.radio(key="transfer-base").value == "MobileNet 0.25"
    assert app.radio(key="transfer-scaling").value == "course"
    # The link names the scaling only when it is not the network's default.
    in_link = "pixel_scaling" in dict(app.query_params)
    assert in_link == (transfer.base_choice("MobileNet 0.25").default_scaling != "course")
    # InceptionV3's default is the course's 0..1, whatever MobileNet's was.
    app.radio(key="transfer-base").set_value("InceptionV3").run()
    app.radio(key="transfer-weights-source").set_value(
        "no pretrained knowledge (random weights)").run()
    helpers.assert_no_exception(app)
    assert app.radio(key="transfer-scaling").value == "course"
    assert "pixel_scaling" not in dict(app.query_params)
    app.radio(key="transfer-scaling").set_value("network").run()
    helpers.assert_no_exception(app)
    assert dict(app.query_params)["pixel_scaling"] in ("network", ["network"])
    assert "def scale_as_the_network" in "\n".join(block.value for block in app.code)


def test_the_scaling_figures_the_page_quotes_are_the_measured_ones():
    """The page's table comes from ui/transfer_learning_choices.MEASURED_SCALING; the figures
    must be the ones benchmarks/pixel_scaling.py printed into BENCHMARKS.md."""
    from engine import transfer
    from ui import transfer_learning_choices

    benchmark_lines = [line for line in (helpers.REPOSITORY / "BENCHMARKS.md").read_text()
                       .splitlines() if line.startswith("pixel scaling: ")]
    dataset_keys = {"horses-or-humans": "horse-or-human", "cats-vs-dogs": "cats_and_dogs_filtered"}
    assert set(transfer_learning_choices.MEASURED_SCALING) == set(dataset_keys)
    for dataset, figures in transfer_learning_choices.MEASURED_SCALING.items():
        for scaling, (mean, lowest) in figures.items():
            start = f"pixel scaling: {dataset_keys[dataset]}, {transfer.SCALINGS[scaling].title}:"
            line, = [line for line in benchmark_lines if line.startswith(start)]
            assert f"both mean {mean:.4f}, min {lowest:.4f}" in line
