"""Real pictures in class folders: the shared horses, humans, cats and dogs."""

import dataclasses
import shutil

import numpy
import pytest

from engine import image_folders
from engine import real_world
from engine import registry


@pytest.fixture(scope="module")
def four_classes(classroom_data_dir, tmp_path_factory):
    """A multiclass folder set assembled from real pictures (rock-paper-scissors is not
    among the offline data): 30 horses, humans, cats and dogs each."""
    root = tmp_path_factory.mktemp("four-classes")
    for dataset, class_name in (("horse-or-human", "horses"), ("horse-or-human", "humans"),
                                ("cats_and_dogs_filtered", "cats"),
                                ("cats_and_dogs_filtered", "dogs")):
        source = registry.image_folder(dataset, "train") / class_name
        (root / class_name).mkdir()
        for picture in sorted(source.iterdir())[:30]:
            shutil.copy(picture, root / class_name / picture.name)
    return root


def test_folders_become_labels_in_alphabetical_order(classroom_data_dir):
    data = image_folders.load_dataset("horse-or-human", (100, 100), 32, 0)
    assert data.class_names == ["horses", "humans"] and data.label_mode == "binary"
    assert (data.training_count, data.validation_count) == (500, 256)
    assert data.steps_per_epoch == 16  # 500 / 32, rounded up: every picture once per epoch
    pictures, labels = next(iter(data.validation))
    assert pictures.shape == (32, 100, 100, 3) and labels.shape == (32, 1)
    assert float(labels.numpy()[0, 0]) == 0.0  # validation keeps folder order: horses first
    assert 0 <= float(pictures.numpy().min()) and float(pictures.numpy().max()) <= 255


def test_training_order_is_seeded_and_reshuffled_every_epoch(classroom_data_dir):
    def first_labels(seed):
        data = image_folders.load_dataset("cats_and_dogs_filtered", (64, 64), 16, seed)
        epochs = [next(iter(data.training))[1].numpy().ravel().tolist() for _ in range(2)]
        return epochs

    same_seed = first_labels(3)
    assert same_seed == first_labels(3)
    assert same_seed[0] != same_seed[1] or len(set(same_seed[0])) == 1


def test_a_four_class_folder_is_multiclass_and_trains(four_classes):
    data = image_folders.load_folders(four_classes, None, (64, 64), 16, seed=0)
    assert data.class_names == ["cats", "dogs", "horses", "humans"]
    assert data.label_mode == "categorical"
    assert data.training_count + data.validation_count == 120
    settings = real_world.RealWorldSettings(dataset="four", image_size=64, conv_blocks=3,
                                            epochs=2, batch_size=16)
    result = real_world.train_real_world(data, settings)
    assert result.model.layers[-1].units == 4
    assert result.model.loss == "categorical_crossentropy"
    probabilities = result.arrays["validation_probabilities"]
    assert probabilities.shape == (data.validation_count, 4)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)


def test_binary_predictions_become_two_probabilities(classroom_data_dir):
    data = image_folders.load_dataset("horse-or-human", (64, 64), 32, 0)
    settings = real_world.RealWorldSettings(image_size=64, conv_blocks=3, epochs=1)
    result = real_world.train_real_world(data, settings)
    pictures = next(iter(data.validation))[0].numpy()[:4]
    probabilities = real_world.predict_pictures(result.model, pictures, data.class_names)
    assert probabilities.shape == (4, 2)
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_the_batches_lessons_train_on_skip_tf_data_autotuning(classroom_data_dir):
    # Keras makes a new iterator every epoch, and with autotuning on, closing the old one
    # waited for the autotuner's sleeping thread: up to 5 s an epoch (BENCHMARKS.md).
    data = image_folders.load_dataset("horse-or-human", (64, 64), 32, 0)
    augmented = data.training.map(lambda pictures, labels: (pictures, labels))
    fine_tuning_batches = data.training.unbatch().batch(20)
    for batches in (data.training, data.validation, augmented, fine_tuning_batches):
        assert batches.options().autotune.enabled is False


def test_augmentation_changes_only_the_training_pictures(classroom_data_dir):
    from engine import augment

    data = image_folders.load_dataset("horse-or-human", (64, 64), 32, 0)
    settings = real_world.RealWorldSettings(image_size=64, conv_blocks=3, epochs=1)
    plain = real_world.train_real_world(data, settings)
    augmented = real_world.train_real_world(
        data, settings, augment.augmentation_layers(augment.COURSE_SETTINGS))
    # Same seed, same starting weights: the first epoch's training loss differs only because
    # the pictures differ; validation pictures are untouched by the augmentation layers.
    assert plain.history["loss"][0] != augmented.history["loss"][0]


def test_default_horses_or_humans_run_reaches_the_quality_bar(classroom_data_dir):
    data = image_folders.load_dataset("horse-or-human", (150, 150), 32, 0)
    result = real_world.train_real_world(data, real_world.RealWorldSettings())
    assert result.extras["validation_accuracy"] >= 0.80


def test_a_local_folder_is_split_or_used_as_train_and_validation(four_classes, tmp_path):
    training, validation = image_folders.split_folders(four_classes)
    assert (training, validation) == (four_classes, None)
    (tmp_path / "train").symlink_to(four_classes, target_is_directory=True)
    (tmp_path / "validation").symlink_to(four_classes, target_is_directory=True)
    assert image_folders.split_folders(tmp_path) == (tmp_path / "train",
                                                     tmp_path / "validation")
    with pytest.raises(ValueError, match="no folder"):
        image_folders.split_folders(tmp_path / "missing")
    (tmp_path / "lonely" / "cats").mkdir(parents=True)
    with pytest.raises(ValueError, match="one folder per class"):
        image_folders.split_folders(tmp_path / "lonely")
    assert image_folders.folder_fingerprint(four_classes) != image_folders.folder_fingerprint(
        tmp_path / "lonely")


def test_the_pictures_shown_stay_the_same_and_leave_the_training_order_alone(
        classroom_data_dir):
    """A lesson reruns on every click; its grid of pictures must not change each time, and
    drawing it must not use up a pass of the seeded training shuffle."""
    data = image_folders.load_dataset("horse-or-human", (64, 64), batch_size=50, seed=3)
    untouched = image_folders.load_dataset("horse-or-human", (64, 64), batch_size=50, seed=3)
    first_pictures, first_names = real_world.first_batch(data)
    again_pictures, again_names = real_world.first_batch(data)
    numpy.testing.assert_array_equal(first_pictures, again_pictures)
    assert first_names == again_names and set(first_names) == {"horses", "humans"}
    assert first_pictures.shape == (16, 64, 64, 3) and first_pictures.dtype == numpy.uint8
    for shown, fresh in zip(data.training, untouched.training):
        numpy.testing.assert_array_equal(shown[1].numpy(), fresh[1].numpy())


def test_lesson_6_pairs_runs_on_either_of_the_course_s_augmentation_datasets():
    """Cats vs dogs by default (what `python -m engine.prepare` trains), horses or humans on
    request: the same experiment, the pair differing only in the training augmentation."""
    default_plain, default_augmented = real_world.augmentation_jobs()
    assert default_plain.settings.dataset == "cats_and_dogs_filtered"
    plain, augmented = real_world.augmentation_jobs(epochs=3, dataset="horse-or-human")
    for job in (plain, augmented):
        assert job.settings.dataset == "horse-or-human" and job.settings.epochs == 3
    assert plain.settings.augmentation == () and augmented.settings.augmentation
    assert (dataclasses.replace(augmented.settings, augmentation=())
            == plain.settings)
    assert plain.key != default_plain.key
    with pytest.raises(ValueError, match="not 'rps'"):
        real_world.augmentation_jobs(dataset="rps")
