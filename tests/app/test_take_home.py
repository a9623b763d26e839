"""Every lesson that trains offers its model (.keras), history (.csv) and a script (.py), under
the right file names, after a small training through the page; the page's script trains one
epoch in a fresh Python with TensorFlow alone (no import of this repository) and saves a model
laid out like the page's; and a model that needs its pictures prepared carries the preparation:
raw 0..255 pictures give what the trained model gives the prepared pictures."""

import ast
import io
import os
import pathlib
import subprocess
import sys
import zipfile

import keras
import numpy
import pytest
from streamlit.runtime import media_file_manager

from engine import course_assets
from engine import registry
from tests.app import helpers


class Downloads:
    """The files the page offered for download in its runs, by file name: bytes or text, or
    the function a deferred download calls on the click."""

    def __init__(self):
        self.files = {}

    def names(self) -> set:
        return set(self.files)

    def content(self, file_name: str) -> bytes:
        data = self.files[file_name]
        data = data() if callable(data) else data
        return data.encode() if isinstance(data, str) else data


@pytest.fixture
def downloads(monkeypatch):
    """Records every download button's file through Streamlit's own media file manager (a
    download button's proto carries no file name)."""
    recorded = Downloads()
    add, add_deferred = (media_file_manager.MediaFileManager.add,
                         media_file_manager.MediaFileManager.add_deferred)

    def record(self, data, mimetype, coordinates, file_name=None, **keywords):
        recorded.files[file_name] = data
        return add(self, data, mimetype, coordinates, file_name=file_name, **keywords)

    def record_deferred(self, data, mimetype, coordinates, file_name=None, **keywords):
        recorded.files[file_name] = data
        return add_deferred(self, data, mimetype, coordinates, file_name=file_name, **keywords)

    monkeypatch.setattr(media_file_manager.MediaFileManager, "add", record)
    monkeypatch.setattr(media_file_manager.MediaFileManager, "add_deferred", record_deferred)
    return recorded


def offered(downloads: Downloads, file_stem: str, history_file: str = "") -> tuple:
    """The three files of a lesson's row, checked present: (model bytes, history rows, script)."""
    history_file = history_file or f"{file_stem}_history.csv"
    assert {f"{file_stem}.keras", history_file, f"{file_stem}.py"} <= downloads.names()
    history = downloads.content(history_file).decode().splitlines()
    assert history[0].startswith("epoch,") and len(history) >= 2
    model_bytes = downloads.content(f"{file_stem}.keras")
    assert zipfile.is_zipfile(io.BytesIO(model_bytes))  # Keras' .keras format is a zip
    return model_bytes, history, downloads.content(f"{file_stem}.py").decode()


def trained_and_offered(downloads: Downloads, page_file: str, controls: dict, file_stem: str,
                        button: str = "train") -> tuple:
    """Set the page's controls (widget key -> value), train with its `button`, and return the
    three files of the run's row, as offered() does."""
    helpers.train(helpers.set_controls(helpers.run_page(page_file), controls), button)
    return offered(downloads, file_stem)


def imported_modules(script: str) -> set:
    tree = ast.parse(script)
    return ({alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
            | {node.module.split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom)})


def run_script(script: str, file_stem: str, folder: pathlib.Path, *arguments) -> keras.Model:
    """Run the script for one epoch in a fresh Python, from an empty folder and with a home of
    its own, so nothing of this repository can be imported; return the model it saved."""
    assert imported_modules(script) <= {"argparse", "keras", "numpy"}
    (folder / f"{file_stem}.py").write_text(script)
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("PYTHONPATH", "KERAS_CLASSROOM_DATA_DIR")}
    environment.update(HOME=str(folder), KERAS_HOME=str(folder / "keras"))
    finished = subprocess.run([sys.executable, f"{file_stem}.py", "--epochs", "1", *arguments],
                              cwd=folder, env=environment, capture_output=True, text=True,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert f"Saved {file_stem}_retrained.keras" in finished.stdout
    return keras.saving.load_model(folder / f"{file_stem}_retrained.keras", safe_mode=True)


def layer_table(model) -> list:
    """(layer type, output shape) of every layer, inside nested models too: names aside,
    how the model is laid out."""
    rows = []
    for layer in model.layers:
        rows.append((type(layer).__name__, tuple(layer.output.shape)))
        if isinstance(layer, keras.Model):
            rows += layer_table(layer)
    return rows


def loaded(model_bytes: bytes, folder: pathlib.Path) -> keras.Model:
    path = folder / "downloaded.keras"
    path.write_bytes(model_bytes)
    return keras.saving.load_model(path, safe_mode=True)


def fashion_mnist_home(folder: pathlib.Path) -> None:
    """Where keras.datasets.fashion_mnist.load_data() finds its four files without the
    network: $KERAS_HOME/datasets/fashion-mnist (the data directory's copies, linked)."""
    target = folder / "keras" / "datasets" / "fashion-mnist"
    target.mkdir(parents=True)
    for file in course_assets.FASHION_MNIST.files:
        (target / file.file_name).symlink_to(registry.file_path(course_assets.FASHION_MNIST, file))


def picture_folders(dataset_key: str) -> tuple:
    return ("--training-folder", str(registry.image_folder(dataset_key, "train")),
            "--validation-folder", str(registry.image_folder(dataset_key, "validation")))


def test_lesson_3_offers_a_model_that_divides_by_255_itself(classroom_data_dir, downloads,
                                                             tmp_path):
    from engine import datasets
    from engine import fashion_mnist
    from engine import run_cache

    # Seed 41: settings no other test trains (the TensorBoard test needs seed 31's run new).
    model_bytes, history, script = trained_and_offered(downloads, "lessons/fashion_mnist.py", {
        "setting-training_images": 1000, "setting-epochs": 1, "setting-seed": 41},
        "fashion_mnist")
    assert len(history) == 2  # the header and one epoch
    # The course's callback is on by default, so the script trains with it too.
    assert "TARGET_ACCURACY = 0.89" in script and "class StopAtAccuracy" in script
    assert "callbacks=[StopAtAccuracy(TARGET_ACCURACY)]" in script

    # Raw pictures into the downloaded model give what the trained model gives them /255.
    settings = fashion_mnist.FashionSettings(training_images=1000, epochs=1, seed=41)
    trained = run_cache.load_run(fashion_mnist.RUN_KIND, fashion_mnist.job(settings).key)
    (_, _), (test_images, _) = datasets.load_fashion_mnist()
    taken_home = loaded(model_bytes, tmp_path)
    numpy.testing.assert_allclose(
        taken_home.predict(test_images[:200], verbose=0),
        trained.model.predict(fashion_mnist.prepare_images(test_images[:200], True), verbose=0),
        atol=1e-5)
    assert taken_home.layers[1].__class__.__name__ == "Rescaling"

    fashion_mnist_home(tmp_path)
    retrained = run_script(script, "fashion_mnist", tmp_path)
    assert layer_table(retrained) == layer_table(taken_home)


def test_lesson_4_offers_its_convnet_and_a_script_that_trains_it(classroom_data_dir, downloads,
                                                                 tmp_path):
    model_bytes, _, script = trained_and_offered(downloads, "lessons/convolutions.py", {
        "cnn-training_images": 1000, "cnn-filters": 16, "cnn-epochs": 1, "cnn-seed": 41},
        "convolutions")
    taken_home = loaded(model_bytes, tmp_path)
    pictures = numpy.random.default_rng(0).integers(0, 256, (3, 28, 28, 1)).astype("uint8")
    inner = taken_home.layers[-1]  # the trained convnet, behind the Rescaling
    numpy.testing.assert_allclose(taken_home.predict(pictures, verbose=0),
                                  inner.predict(pictures / 255.0, verbose=0), atol=1e-5)
    fashion_mnist_home(tmp_path)
    retrained = run_script(script, "convolutions", tmp_path)
    assert layer_table(retrained) == layer_table(taken_home)
    assert "Conv2D" in [row[0] for row in layer_table(retrained)]


def test_lesson_5_offers_its_convnet_and_a_script_that_trains_it(classroom_data_dir, downloads,
                                                                 tmp_path):
    model_bytes, _, script = trained_and_offered(downloads, "lessons/real_world_images.py", {
        "real-image_size": 100, "real-conv_blocks": 3, "real-epochs": 1}, "real_world_images")
    assert 'TRAINING_FOLDER = "/tmp/horse-or-human"' in script  # where the course's zip unpacks
    taken_home = loaded(model_bytes, tmp_path)
    retrained = run_script(script, "real_world_images", tmp_path,
                           *picture_folders("horse-or-human"))
    assert layer_table(retrained) == layer_table(taken_home)
    assert layer_table(retrained)[0][0] == "Rescaling"  # the course's rescale, in the model


def test_lesson_6_offers_the_augmented_run_and_a_script_that_augments(
        classroom_data_dir, downloads, tmp_path):
    model_bytes, history, script = trained_and_offered(
        downloads, "lessons/augmentation.py", {"augment-epochs": 2}, "augmentation_with",
        "train-augmented")
    # Whether the run without augmentation is offered too depends on the shared run cache
    # (other tests train it), so only the augmented run's files are checked.
    assert len(history) == 3 and "RandomRotation" in script and "RandomZoom" in script
    taken_home = loaded(model_bytes, tmp_path)
    retrained = run_script(script, "augmentation_with", tmp_path,
                           *picture_folders("cats_and_dogs_filtered"))
    assert layer_table(retrained) == layer_table(taken_home)


def test_lesson_7_model_takes_raw_pictures_and_its_script_trains_the_course_model(
        classroom_data_dir, downloads, tmp_path):
    """The issue's case: the lesson 7 model given raw 0..255 pictures scored a human picture
    0.56 to 0.99 instead of 1.0. Its file now scales them itself, as its features were."""
    from engine import dropout_pair
    from engine import frozen_base
    from engine import images
    from engine import run_cache
    from engine import transfer
    from engine import weights_files

    page = helpers.set_controls(helpers.run_page("lessons/transfer_learning.py", timeout=600),
                                {"transfer-size": 128, "transfer-epochs": 1})
    helpers.train(page, "transfer-train")
    page.radio(key="transfer-head").set_value("with dropout").run()
    model_bytes, history, script = offered(downloads, "transfer_learning",
                                           "dropout_comparison.csv")
    assert "DROPOUT_RATE = 0.2" in script and "mobilenet_base" in script

    folder = registry.image_folder("horse-or-human", "validation") / "humans"
    pictures = numpy.stack([images.picture_pixels(path.read_bytes(), (128, 128))
                            for path in sorted(folder.iterdir())[:4]]).astype("float32")
    weights = weights_files.resolve_weights("MobileNet 0.25")
    pair = dropout_pair.PairSettings(
        base_name="MobileNet 0.25", weights_identity=weights.identity,
        weights_path=str(weights.path), image_size=128, pixel_scaling="network",
        cut_layer_name="conv_pw_13_relu", epochs=1)
    heads = run_cache.load_run(dropout_pair.RUN_KIND, dropout_pair.job(pair).key).model
    trained = frozen_base.full_model(
        frozen_base.build_frozen_network("MobileNet 0.25", weights, 128), "conv_pw_13_relu",
        heads[dropout_pair.WITH_DROPOUT])
    expected = trained.predict(transfer.prepare_pictures("MobileNet 0.25", pictures.copy(),
                                                         "network"), verbose=0)
    taken_home = loaded(model_bytes, tmp_path)
    numpy.testing.assert_allclose(taken_home.predict(pictures, verbose=0), expected, atol=1e-4)

    retrained = run_script(script, "transfer_learning", tmp_path,
                           *picture_folders("horse-or-human"), "--weights-file",
                           str(weights.path))
    assert layer_table(retrained) == layer_table(taken_home)


def computing_layers(model) -> list:
    """(layer type, output shape) of every layer that computes, nested models opened and
    their inputs left out: what the model computes, however its parts are nested."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows += computing_layers(layer)
        elif not isinstance(layer, keras.layers.InputLayer):
            rows.append((type(layer).__name__, tuple(layer.output.shape)))
    return rows


def trainable_count(model) -> int:
    return sum(int(numpy.prod(weight.shape)) for weight in model.trainable_weights)


def test_lesson_7_fine_tuning_offers_its_model_and_a_script_that_fine_tunes(
        classroom_data_dir, downloads, tmp_path):
    """Part 5's row: the fine-tuned model (its pixel scaling in front), its history, and a
    script that trains the classifier on the frozen network, then unlocks the same layers
    and fine-tunes them; one epoch of each here."""
    from engine import dropout_pair
    from engine import fine_tuning
    from engine import frozen_base
    from engine import images
    from engine import run_cache
    from engine import transfer
    from engine import weights_files

    # The pair and fine-tuning of the page test's fine-tuning: trained once in a whole run.
    page = helpers.set_controls(helpers.run_page("lessons/transfer_learning.py", timeout=600),
                                {"transfer-size": 128, "transfer-epochs": 2})
    helpers.train(page, "transfer-train")
    helpers.train(helpers.set_controls(page, {"transfer-fine-tune-epochs": 1}),
                  "transfer-fine-tune")
    model_bytes, history, script = offered(downloads, "transfer_learning_fine_tuned")
    assert len(history) == 2  # the header and the one epoch of fine-tuning
    assert 'UNFREEZE_AFTER = "conv_pw_11_relu"' in script and "EPOCHS = 2" in script
    assert "DROPOUT_RATE = None" in script  # the classifier picked: without dropout
    assert "--epochs 1 --fine-tuning-epochs 1" in "".join(
        caption.value for caption in page.caption)

    weights = weights_files.resolve_weights("MobileNet 0.25")
    pair = dropout_pair.PairSettings(
        base_name="MobileNet 0.25", weights_identity=weights.identity,
        weights_path=str(weights.path), image_size=128, pixel_scaling="network",
        cut_layer_name="conv_pw_13_relu", epochs=2)
    settings = fine_tuning.FineTuneSettings(pair, dropout_pair.WITHOUT_DROPOUT,
                                            "conv_pw_11_relu", 1)
    trained = run_cache.load_run(fine_tuning.RUN_KIND, fine_tuning.job(settings).key).model
    folder = registry.image_folder("horse-or-human", "validation") / "horses"
    pictures = numpy.stack([images.picture_pixels(path.read_bytes(), (128, 128))
                            for path in sorted(folder.iterdir())[:4]]).astype("float32")
    expected = trained.predict(transfer.prepare_pictures("MobileNet 0.25", pictures.copy(),
                                                         "network"), verbose=0)
    taken_home = loaded(model_bytes, tmp_path)
    numpy.testing.assert_allclose(taken_home.predict(pictures, verbose=0), expected, atol=1e-4)

    retrained = run_script(script, "transfer_learning_fine_tuned", tmp_path,
                           *picture_folders("horse-or-human"), "--weights-file",
                           str(weights.path), "--fine-tuning-epochs", "1")
    assert computing_layers(retrained) == computing_layers(taken_home)
    # The same layers unlocked: more than the classifier alone (4 x 4 x 256 features in).
    assert trainable_count(retrained) == trainable_count(taken_home) > (
        frozen_base.head_parameter_count(4 * 4 * 256))


@pytest.mark.parametrize("page_file, file_stem", [("lessons/rules_vs_data.py", "rules_vs_data"),
                                                  ("lessons/hello_neuron.py", "hello_neuron")])
def test_lessons_1_and_2_offer_their_neuron(classroom_data_dir, downloads, tmp_path, page_file,
                                            file_stem):
    helpers.run_page(page_file)  # they train on opening
    model_bytes, history, script = offered(downloads, file_stem)
    assert history[0].startswith("epoch,loss")
    taken_home = loaded(model_bytes, tmp_path)
    retrained = run_script(script, file_stem, tmp_path)
    assert layer_table(retrained) == layer_table(taken_home) == [("Dense", (None, 1))]
