"""Two views every lesson that trains a convnet (or any model with `fit`) shares, through the
pages: the TensorBoard option (ticking it makes the run write event files into the lesson's
folder, and the page shows the command that opens them) and the look inside the layers
(ui/layer_viewer.py: the maps it draws are the model's own layer outputs for the picked
pictures, under the names of the model's summary on the same page).

Lessons 5 and 6 train one tiny run each, with the option ticked, and both views are checked on
it; lesson 7 trains its pair and fine-tunes one classifier with the option ticked. Seed 31 and
a rotation of 31 degrees are used by no other test: the option is not part of a run's key, so
a run trained before without it would be reused, without logs."""

import dataclasses
import math

import numpy
import pytest

from engine import augment
from engine import convolutions
from engine import fashion_mnist
from engine import hello_neuron
from engine import real_world
from engine import rules
from engine import run_cache
from engine import training
from tests.app import helpers

SEED = 31
LESSON_5 = real_world.RealWorldSettings(image_size=100, conv_blocks=3, epochs=1, seed=SEED,
                                        tensorboard=True)
ROTATED = dataclasses.replace(augment.COURSE_SETTINGS, rotation_range=SEED)
LESSON_6 = real_world.augmentation_jobs(ROTATED, 2, tensorboard=True)[1].settings


def train_with_logs(app, controls: dict, tensorboard_key: str, train_key: str = "train"):
    """Set the page's controls (widget key -> value), tick the option, and train."""
    for key, value in controls.items():
        app.session_state[key] = value
    app.checkbox(key=tensorboard_key).check().run()
    helpers.assert_no_exception(app)
    return helpers.train(app, train_key)


def assert_logs_written(app, settings) -> None:
    events = training.tensorboard_event_files(settings)
    folder = training.tensorboard_folder(settings)
    assert events and all(folder in path.parents for path in events)
    assert folder.parent.name == settings.RUN_KIND  # the lesson's own folder
    assert {"train", "validation"} <= {path.parent.name for path in events}
    assert training.tensorboard_command() in [block.value for block in app.code]


def assert_titles_clear_of_the_toolbar(grid: dict) -> None:
    """The activation grid's layer titles sit above the plot area, below a band at the top
    that Plotly's toolbar takes (about 30 px), in type of at least 14 px; every cell keeps
    its map's aspect ratio."""
    layout = grid["layout"]
    titles = [note for note in layout["annotations"] if note.get("textangle") != 90]
    assert titles and all(note["font"]["size"] >= 14 for note in titles)
    assert all(note["y"] == 1 and note["yanchor"] == "bottom" for note in titles)
    lines = max(note["text"].count("<br>") + 1 for note in titles)
    slant = max(abs(note.get("textangle") or 0) for note in titles)
    longest = max(len(note["text"]) for note in titles)
    # How tall the titles stand: their lines, or a slanted line's rise.
    height = (lines * 1.3 * 14 if not slant else
              longest * 0.6 * 14 * math.sin(math.radians(slant)) + 14)
    assert layout["margin"]["t"] >= 30 + height, (layout["margin"], height)
    subplots = sum(1 for name in layout if name.startswith("yaxis"))
    for index in range(1, subplots + 1):
        suffix = "" if index == 1 else str(index)
        assert layout[f"yaxis{suffix}"]["scaleanchor"] == f"x{suffix}"


def assert_viewer_shows_the_model_s_layers(app, key_prefix: str, model, pictures, size: int):
    """The layer list is the summary's conv and pooling layers, and the first cell of the grid
    is the first convolution's output for picture 1 and the filter shown, computed here layer
    by layer without the viewer's code."""
    summary = next(frame.value for frame in app.dataframe if "output shape" in frame.value)
    looked_at = [name for name, kind in zip(summary["layer"], summary["type"])
                 if kind in ("Conv2D", "MaxPooling2D")]
    assert app.selectbox(key=f"{key_prefix}-layer").options == looked_at
    grid = helpers.chart_figure(app, f"{key_prefix}-activations")
    assert len(grid["data"]) == 3 * len(looked_at)
    assert_titles_clear_of_the_toolbar(grid)
    assert_first_cell_is_the_model_s_output(app, key_prefix, model, pictures, size, looked_at)
    assert numpy.ptp(helpers.plotly_array(grid["data"][0]["z"])) > 0  # not a flat filter
    # Another picture: the maps (kept for the whole server) follow the picture picked.
    app.number_input(key=f"{key_prefix}-0").set_value(1).run()
    helpers.assert_no_exception(app)
    assert_first_cell_is_the_model_s_output(app, key_prefix, model, pictures, size, looked_at)
    app.selectbox(key=f"{key_prefix}-layer").set_value(looked_at[-1]).run()
    helpers.assert_no_exception(app)
    every_filter = helpers.chart_figure(app, f"{key_prefix}-all-filters")
    assert len(every_filter["data"]) == 64  # the last block's 64 filters


def assert_first_cell_is_the_model_s_output(app, key_prefix, model, pictures, size, looked_at):
    first = helpers.plotly_array(
        helpers.chart_figure(app, f"{key_prefix}-activations")["data"][0]["z"])
    assert first.shape == (size - 2, size - 2)
    picture = pictures[app.number_input(key=f"{key_prefix}-0").value][None].astype("float32")
    output = picture
    for layer in model.layers:
        output = layer(output)
        if layer.name == looked_at[0]:
            break
    filter_index = app.number_input(key=f"{key_prefix}-filter").value
    numpy.testing.assert_allclose(first, numpy.asarray(output)[0, :, :, filter_index],
                                  rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def lesson_5(classroom_data_dir):
    app = helpers.run_page("lessons/real_world_images.py", timeout=300)
    return train_with_logs(app, {"real-image_size": 100, "real-conv_blocks": 3,
                                 "real-epochs": 1, "real-seed": SEED}, "real-tensorboard")


@pytest.fixture(scope="module")
def lesson_6(classroom_data_dir):
    app = helpers.run_page("lessons/augmentation.py", timeout=300)
    # Only the augmented run, with a rotation no other test trains.
    return train_with_logs(app, {"augment-epochs": 2, "augment-rotation_range": SEED},
                           "augment-tensorboard", "train-augmented")


def logged_per_epoch(settings) -> dict:
    """What the run of `settings` wrote for TensorBoard: tag -> one value per epoch (a number
    for a scalar, the non-empty buckets (left, right, count) for a histogram)."""
    import tensorflow

    logged = {}
    for path in training.tensorboard_event_files(settings):
        for event in tensorflow.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.tag.startswith("epoch_") or value.tag.endswith("/histogram"):
                    array = tensorflow.make_ndarray(value.tensor)
                    logged.setdefault(value.tag, {})[event.step] = (
                        float(array) if array.ndim == 0 else array[array[:, 2] > 0])
    return {tag: [steps[step] for step in sorted(steps)] for tag, steps in logged.items()}


def assert_full_batch_logs_match_the_page(app, job, epochs: int) -> None:
    """Lessons 1 and 2 train in their own loop, not `fit`: their logs must still hold, per
    epoch, the loss the page's curve shows and the weight the neuron had after that epoch."""
    assert training.tensorboard_command() in [block.value for block in app.code]
    logged = logged_per_epoch(job.settings)
    page_losses = helpers.plotly_array(helpers.chart_figure(app, "loss")["data"][0]["y"])
    assert len(logged["epoch_loss"]) == epochs
    numpy.testing.assert_allclose(logged["epoch_loss"], page_losses, rtol=1e-6)
    run = run_cache.load_run(job.kind, job.key)
    kernel = next(values for tag, values in logged.items() if tag.endswith("kernel/histogram"))
    assert len(kernel) == epochs
    for buckets, weight in zip(kernel, run.history["weight"]):
        assert len(buckets) == 1 and buckets[0][0] == pytest.approx(weight, rel=1e-6)
    assert run.history["weight"][0] != run.history["weight"][-1]  # so the check has teeth


def test_tensorboard_on_lesson_1(classroom_data_dir):
    app = helpers.run_page("lessons/rules_vs_data.py")
    train_with_logs(app, {"xs": f"-1, 0, 1, 2, 3, {SEED}", "epochs": 100}, "tensorboard")
    settings = rules.rule_settings(rules.PRESET_RULES[rules.DEFAULT_PRESET],
                                   [-1, 0, 1, 2, 3, SEED], 100, tensorboard=True)
    assert_full_batch_logs_match_the_page(app, rules.job(settings), 100)


def test_tensorboard_on_lesson_2(classroom_data_dir):
    app = helpers.run_page("lessons/hello_neuron.py")
    train_with_logs(app, {"epochs": 40, "seed": SEED}, "tensorboard")
    settings = hello_neuron.HelloNeuronSettings(epochs=40, seed=SEED, tensorboard=True)
    assert_full_batch_logs_match_the_page(app, hello_neuron.job(settings), 40)
    assert "def full_batch_tensorboard_logs" in "\n".join(block.value for block in app.code)


def test_tensorboard_on_lesson_3(classroom_data_dir):
    app = helpers.run_page("lessons/fashion_mnist.py")
    train_with_logs(app, {"setting-training_images": 1000, "setting-epochs": 1,
                          "setting-seed": SEED}, "setting-tensorboard")
    assert_logs_written(app, fashion_mnist.FashionSettings(
        training_images=1000, epochs=1, seed=SEED, tensorboard=True))


def test_tensorboard_and_layer_names_on_lesson_4(classroom_data_dir):
    app = helpers.run_page("lessons/convolutions.py")
    train_with_logs(app, {"cnn-training_images": 1000, "cnn-epochs": 1, "cnn-seed": SEED},
                    "cnn-tensorboard")
    assert_logs_written(app, convolutions.CnnSettings(
        training_images=1000, epochs=1, seed=SEED, tensorboard=True))
    summary = next(frame.value for frame in app.dataframe if "output shape" in frame.value)
    assert app.selectbox(key="inside-layer").options == [
        name for name, kind in zip(summary["layer"], summary["type"])
        if kind in ("Conv2D", "MaxPooling2D")]
    assert_titles_clear_of_the_toolbar(helpers.chart_figure(app, "inside-activations"))


def test_tensorboard_on_lesson_5(lesson_5):
    assert_logs_written(lesson_5, LESSON_5)


def test_looking_inside_on_lesson_5(lesson_5):
    from engine import image_folders

    job = real_world.job(LESSON_5)
    model = run_cache.load_run(job.kind, job.key).model
    data = image_folders.load_pictures("horse-or-human", None, None, 100, 32, SEED)
    pictures, _ = real_world.first_batch(data)
    assert_viewer_shows_the_model_s_layers(lesson_5, "real-inside", model, pictures, 100)


def test_tensorboard_on_lesson_6(lesson_6):
    assert_logs_written(lesson_6, LESSON_6)


def test_looking_inside_on_lesson_6(lesson_6):
    from engine import image_folders

    lesson_6.radio(key="augment-inside-run").set_value("with augmentation").run()
    helpers.assert_no_exception(lesson_6)
    job = real_world.job(LESSON_6)
    model = run_cache.load_run(job.kind, job.key).model
    experiment = real_world.AUGMENTATION_EXPERIMENT
    data = image_folders.load_pictures(experiment.dataset, None, None, experiment.image_size,
                                       experiment.batch_size, experiment.seed)
    pictures, _ = real_world.first_batch(data)
    assert_viewer_shows_the_model_s_layers(lesson_6, "augment-inside", model, pictures,
                                           experiment.image_size)


def test_tensorboard_on_lesson_7_for_the_pair_and_fine_tuning(classroom_data_dir):
    from engine import dropout_pair
    from engine import fine_tuning
    from engine import weights_files

    app = helpers.run_page("lessons/transfer_learning.py", timeout=600)
    train_with_logs(app, {"transfer-size": 128, "transfer-epochs": 1, "transfer-seed": SEED},
                    "transfer-tensorboard", "transfer-train")
    assert app.query_params["tensorboard"] in ("true", ["true"])  # a teacher's link has it
    weights = weights_files.resolve_weights("MobileNet 0.25")
    pair = dropout_pair.PairSettings(
        base_name="MobileNet 0.25", weights_identity=weights.identity,
        weights_path=str(weights.path), image_size=128, pixel_scaling="network",
        cut_layer_name="conv_pw_13_relu", epochs=1, seed=SEED, tensorboard=True)
    assert_logs_written(app, pair)
    folder = training.tensorboard_folder(pair)
    assert {path.relative_to(folder).parts[0] for path in training.tensorboard_event_files(
        pair)} == {"without_dropout", "with_dropout"}  # one folder per classifier

    app.slider(key="transfer-fine-tune-epochs").set_value(1).run()
    helpers.train(app, "transfer-fine-tune")
    assert_logs_written(app, fine_tuning.FineTuneSettings(
        pair, dropout_pair.WITHOUT_DROPOUT, "conv_pw_11_relu", 1, tensorboard=True))
    commands = [block.value for block in app.code if block.value == training.tensorboard_command()]
    assert len(commands) == 2  # under the pair, and under the fine-tuned run
