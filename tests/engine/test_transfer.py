"""Transfer learning (lesson 7): features computed once, the full model predicting what its
head predicts on them, the two pixel scalings, the fair dropout pair, and real accuracy with
MobileNet's ImageNet weights, fine-tuning included. The network's structure and cuts are
tested in test_frozen_base.py, weights files in test_weights_files.py."""

import dataclasses

import keras
import numpy
import pytest

from engine import dropout_gaps
from engine import dropout_pair
from engine import frozen_base
from engine import image_folders
from engine import registry
from engine import transfer
from engine import transfer_features

MOBILENET = "MobileNet 0.25"


@pytest.fixture(scope="module")
def horse_features(classroom_data_dir):
    """MobileNet's conv_pw_13_relu features of horses-or-humans, with the real weights."""
    return transfer_features.cached_features("horse-or-human", MOBILENET)


@pytest.fixture(scope="module")
def horse_features_other_scaling(classroom_data_dir):
    """The same features with the scaling that is not MobileNet's default."""
    other, = set(transfer.SCALINGS) - {transfer.base_choice(MOBILENET).default_scaling}
    return transfer_features.cached_features("horse-or-human", MOBILENET, pixel_scaling=other)


# Features computed once -----------------------------------------------------------------------


def test_features_are_computed_once_then_read_from_disk(classroom_data_dir, monkeypatch):
    calls = []
    real_extract = transfer_features.extract_features

    def counting_extract(*arguments, **keywords):
        calls.append(1)
        return real_extract(*arguments, **keywords)

    monkeypatch.setattr(transfer_features, "extract_features", counting_extract)
    progress = []
    first = transfer_features.cached_features(
        "horse-or-human", MOBILENET, cut_layer_name="conv_pw_11_relu",
        on_progress=lambda done, total: progress.append((done, total)))
    assert len(calls) == 2 and not first.from_disk  # training, then validation pictures
    assert progress[-1] == (756, 756)
    assert first.training_features.shape == (500, 9, 9, 128)
    assert first.validation_features.shape == (256, 9, 9, 128)
    assert first.training_labels.shape == (500, 1) and first.class_names == ["horses", "humans"]
    assert first.path.parent == classroom_data_dir / "features" / "horse-or-human"
    assert first.settings["stored_as"] == "float16" and first.augmentation.startswith("exact")

    again = transfer_features.cached_features("horse-or-human", MOBILENET,
                                              cut_layer_name="conv_pw_11_relu")
    assert len(calls) == 2 and again.from_disk and again.path == first.path
    numpy.testing.assert_array_equal(again.training_features, first.training_features)
    numpy.testing.assert_array_equal(again.validation_labels, first.validation_labels)
    assert not list(first.path.parent.glob(".partial-*"))


@pytest.mark.parametrize("which", ["default", "other"])
def test_the_full_model_predicts_what_the_head_predicts_on_features(
        which, horse_features, horse_features_other_scaling):
    """With either pixel scaling, pictures scaled by the one prepare_pictures give the
    features the head trained on, and a learner's own pictures are scaled the same way."""
    horse_features = horse_features if which == "default" else horse_features_other_scaling
    scaling = horse_features.settings["pixel_scaling"]
    frozen = frozen_base.build_frozen_network(MOBILENET)
    run = dropout_pair.train_paired(
        horse_features.training_features, horse_features.training_labels,
        horse_features.validation_features, horse_features.validation_labels, epochs=1)
    head = run.models[dropout_pair.WITH_DROPOUT]
    model = frozen_base.full_model(frozen, "conv_pw_13_relu", head)
    assert any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    assert model.input.shape == (None, 150, 150, 3)

    folder_data = image_folders.load_dataset("horse-or-human", (150, 150), batch_size=64)
    pictures, _ = next(iter(folder_data.validation))  # the first 64, in the stored order
    prepared_pictures = transfer.prepare_pictures(MOBILENET, pictures, scaling)
    from_pictures = model.predict(prepared_pictures, verbose=0)
    own_pictures = transfer.predict_pictures(model, MOBILENET, pictures.numpy(), scaling)
    numpy.testing.assert_allclose(own_pictures[:, 1], from_pictures[:, 0], atol=1e-5)
    extractor = keras.Model(frozen.model.input,
                            frozen.model.get_layer("conv_pw_13_relu").output)
    fresh_features = extractor.predict(prepared_pictures, verbose=0)
    numpy.testing.assert_allclose(head.predict(fresh_features, verbose=0), from_pictures,
                                  atol=1e-4)
    # The stored features are float16: they round the numbers, not the answers.
    stored = horse_features.validation_features[:64]
    numpy.testing.assert_allclose(head.predict(stored, verbose=0), from_pictures, atol=1e-3)


# How pictures are scaled before the network ------------------------------------------------


def test_the_two_pixel_scalings_give_their_two_ranges():
    """0, 127.5 and 255 become 0, 0.5, 1 the course's way and -1, 0, 1 the network's way,
    for both networks, on numpy arrays (own pictures) and tensors (features, fine-tuning)."""
    values = numpy.array([0.0, 127.5, 255.0], "float32")
    pictures = numpy.broadcast_to(values[:, None, None, None], (3, 2, 2, 3))
    expected = {"course": [0.0, 0.5, 1.0], "network": [-1.0, 0.0, 1.0]}
    for base_name in transfer.BASES:
        for scaling, wanted in expected.items():
            assert transfer.SCALINGS[scaling].value_range == (wanted[0], wanted[-1])
            for given in (numpy.array(pictures), keras.ops.convert_to_tensor(pictures)):
                scaled = keras.ops.convert_to_numpy(
                    transfer.prepare_pictures(base_name, given, scaling))
                numpy.testing.assert_allclose(scaled[:, 0, 0, 0], wanted, atol=1e-6)
                assert scaled.shape == pictures.shape
    assert transfer.base_choice("InceptionV3").default_scaling == "course"  # the course's way
    with pytest.raises(ValueError, match="no pixel scaling called 'imagenet'"):
        transfer.prepare_pictures(MOBILENET, pictures, "imagenet")


def test_each_pixel_scaling_has_its_own_features_and_run_key(horse_features,
                                                             horse_features_other_scaling):
    scalings = {horse_features.settings["pixel_scaling"],
                horse_features_other_scaling.settings["pixel_scaling"]}
    assert scalings == set(transfer.SCALINGS)
    assert horse_features.path != horse_features_other_scaling.path
    assert not numpy.allclose(horse_features.validation_features,
                              horse_features_other_scaling.validation_features, atol=1e-2)
    pair = dropout_pair.PairSettings(base_name=MOBILENET, weights_identity="sha256:abc")
    keys = {dropout_pair.job(dataclasses.replace(pair, pixel_scaling=scaling)).key
            for scaling in transfer.SCALINGS}
    assert len(keys) == 2


def test_a_learners_own_folder_gets_features_too(classroom_data_dir, tmp_path):
    """An extracted zip without a validation folder: a seeded fifth is kept for validation,
    and changing the pictures changes the stored features' name."""
    import shutil

    own = tmp_path / "pets"
    for class_name, dataset in (("cats", "cats_and_dogs_filtered"),
                                ("dogs", "cats_and_dogs_filtered"),
                                ("horses", "horse-or-human")):
        (own / class_name).mkdir(parents=True)
        source = registry.image_folder(dataset, "train") / class_name
        for picture in sorted(source.iterdir())[:10]:
            shutil.copy(picture, own / class_name / picture.name)
    first = transfer_features.cached_features("upload-pets", MOBILENET, image_size=96,
                                              folders=(str(own), None))
    assert first.class_names == ["cats", "dogs", "horses"]
    assert len(first.training_features) == 24 and len(first.validation_features) == 6
    assert first.training_labels.shape == (24, 3)  # one-hot: three classes
    assert first.path.parent == classroom_data_dir / "features" / "upload-pets"
    again = transfer_features.cached_features("upload-pets", MOBILENET, image_size=96,
                                              folders=(str(own), None))
    assert again.from_disk and again.path == first.path
    (own / "horses" / sorted((own / "horses").iterdir())[0].name).unlink()
    changed = transfer_features.cached_features("upload-pets", MOBILENET, image_size=96,
                                                folders=(str(own), None))
    assert not changed.from_disk and changed.path != first.path
    assert len(changed.training_features) + len(changed.validation_features) == 29
    run = dropout_pair.train_paired(
        changed.training_features, changed.training_labels, changed.validation_features,
        changed.validation_labels, epochs=1, batch_size=8)
    assert run.models[dropout_pair.WITH_DROPOUT].output.shape == (None, 3)


def test_augmented_views_are_stored_and_say_so(classroom_data_dir):
    flip = [keras.layers.RandomFlip("horizontal", seed=1)]
    with pytest.raises(ValueError, match="how many augmented views"):
        transfer_features.cached_features("cats_and_dogs_filtered", MOBILENET,
                                          augmentation_layers=flip)
    features = transfer_features.cached_features(
        "cats_and_dogs_filtered", MOBILENET, image_size=96, augmentation_layers=flip,
        augmented_views=2)
    assert features.training_features.shape == (2, 500, 3, 3, 256)
    assert features.validation_features.shape == (200, 3, 3, 256)
    assert features.augmented_views == 2 and features.augmentation.startswith("approximate")
    assert not numpy.array_equal(features.training_features[0], features.training_features[1])
    again = transfer_features.cached_features(
        "cats_and_dogs_filtered", MOBILENET, image_size=96, augmentation_layers=flip,
        augmented_views=2)
    assert again.from_disk
    run = dropout_pair.train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, epochs=1, batch_size=50)
    assert run.epochs_done == 1


# The fair dropout pair ------------------------------------------------------------------------


def synthetic_features(seed=0, pictures=120):
    """Features with a learnable rule: the label is whether the first number is positive."""
    generator = numpy.random.default_rng(seed)
    features = generator.normal(size=(pictures, 3, 3, 8)).astype("float32")
    labels = (features[:, 0, 0, :1] > 0).astype("float32")
    return features[:80], labels[:80], features[80:], labels[80:]


def test_both_heads_start_from_the_same_weights():
    heads = dropout_pair.paired_heads((3, 3, 8), dropout_rate=0.2, seed=5)
    without_dropout = heads[dropout_pair.WITHOUT_DROPOUT]
    with_dropout = heads[dropout_pair.WITH_DROPOUT]
    assert len(without_dropout.weights) == len(with_dropout.weights) == 4
    for first, second in zip(without_dropout.weights, with_dropout.weights):
        numpy.testing.assert_array_equal(first.numpy(), second.numpy())
    assert [isinstance(layer, keras.layers.Dropout) for layer in with_dropout.layers].count(True)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in without_dropout.layers)


def test_without_dropout_on_both_sides_the_histories_are_identical():
    """The same starting weights and the same batches in the same order: with nothing else
    different, the two curves must be the same to the last digit."""
    reports = []
    run = dropout_pair.train_paired(*synthetic_features(), epochs=3, batch_size=16,
                                         dropout_rate=0.0, seed=1, learning_rate=0.001,
                                         on_epoch=lambda run: reports.append(run.epochs_done))
    first, second = run.histories.values()
    assert set(first) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(first["loss"]) == 3 and first == second
    assert reports == [1, 2, 3] and not run.stopped_early

    with_dropout = dropout_pair.train_paired(*synthetic_features(), epochs=3,
                                                  batch_size=16, dropout_rate=0.5, seed=1,
                                                  learning_rate=0.001)
    assert with_dropout.histories[dropout_pair.WITHOUT_DROPOUT] == first
    assert with_dropout.histories[dropout_pair.WITH_DROPOUT]["loss"] != first["loss"]


def test_stop_keeps_what_was_learned():
    questions = []

    def should_stop():
        questions.append(1)
        return len(questions) > 8  # during the first epoch of the second head

    batches = []
    run = dropout_pair.train_paired(
        *synthetic_features(), epochs=5, batch_size=16, should_stop=should_stop,
        on_batch=lambda name, epoch, batch, steps: batches.append((name, epoch, batch, steps)))
    assert run.stopped_early and run.epochs_done < 5
    assert batches == [(dropout_pair.WITHOUT_DROPOUT, 0, 5, 5)]  # every 5th batch
    assert len(run.histories[dropout_pair.WITHOUT_DROPOUT]["loss"]) >= 1
    assert set(run.models) == {dropout_pair.WITHOUT_DROPOUT, dropout_pair.WITH_DROPOUT}


def test_mismatched_features_are_refused():
    training, labels, validation, validation_labels = synthetic_features()
    with pytest.raises(ValueError, match="same cut layer"):
        dropout_pair.train_paired(training, labels, validation[:, :2], validation_labels)
    with pytest.raises(ValueError, match="one label for every picture"):
        dropout_pair.train_paired(training, labels[:10], validation, validation_labels)


# Real pretrained knowledge, and fine-tuning ---------------------------------------------------


def test_imagenet_features_tell_horses_from_humans_and_random_ones_do_not(horse_features):
    run = dropout_pair.train_paired(
        horse_features.training_features, horse_features.training_labels,
        horse_features.validation_features, horse_features.validation_labels, epochs=1)
    for history in run.histories.values():
        assert history["val_accuracy"][-1] >= 0.95  # measured: 0.99 after one epoch

    random_features = transfer_features.cached_features("horse-or-human", MOBILENET,
                                                        weights=None)
    assert random_features.settings["weights"] == "random-seed-0"
    random_run = dropout_pair.train_paired(
        random_features.training_features, random_features.training_labels,
        random_features.validation_features, random_features.validation_labels, epochs=1)
    for history in random_run.histories.values():
        assert history["val_accuracy"][-1] <= 0.75  # chance is 0.5


@pytest.mark.parametrize("dataset, bar, seed", [("horse-or-human", 0.95, 0),
                                                ("horse-or-human", 0.95, 1),
                                                ("horse-or-human", 0.95, 2),
                                                ("cats_and_dogs_filtered", 0.85, 0)])
def test_the_default_pair_reaches_the_quality_bars(classroom_data_dir, dataset, bar, seed):
    """The lesson's default run (20 epochs, dropout 0.2, default batch, the lesson's default
    pixel scaling for MobileNet) on MobileNet's real ImageNet features; horses-or-humans
    over three seeds. Measured (benchmarks/pixel_scaling.py): horses lowest 0.984 of the
    three seeds; cats-vs-dogs 0.895 for both at seed 0."""
    features = transfer_features.cached_features(
        dataset, MOBILENET, pixel_scaling=transfer.base_choice(MOBILENET).default_scaling)
    run = dropout_pair.train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, seed=seed)
    assert run.epochs_done == 20
    for history in run.histories.values():
        assert history["val_accuracy"][-1] >= bar
    if dataset == "horse-or-human":
        # The default shows no dropout effect, and the page says why (issue 15; no candidate
        # default showed one in benchmarks/dropout_gap.py): both gaps under 3 points.
        verdict = dropout_gaps.verdict(run.histories, 0.2)
        assert "features already separate these classes so easily" in verdict


def test_fine_tuning_a_trained_pair_keeps_its_accuracy_and_leaves_the_head_alone(
        classroom_data_dir):
    from engine import fine_tuning

    features = transfer_features.cached_features("horse-or-human", MOBILENET, image_size=96)
    run = dropout_pair.train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, epochs=2)
    head = run.models[dropout_pair.WITH_DROPOUT]
    head_weights = [weight.copy() for weight in head.get_weights()]
    assert fine_tuning.unfreeze_choices(transfer.BASES[MOBILENET].cut_layer_names,
                                        "conv_pw_13_relu") == ["conv_pw_11_relu",
                                                               "conv_pw_5_relu"]
    pictures = image_folders.load_dataset("horse-or-human", (96, 96), batch_size=50)
    shared = frozen_base.build_frozen_network(MOBILENET, image_size=96)
    shared_weights = [weight.copy() for weight in shared.model.get_weights()]
    tuned = fine_tuning.fine_tune(shared, "conv_pw_13_relu", head, "conv_pw_11_relu",
                                  pictures, 1, transfer.base_choice(MOBILENET).default_scaling)
    # The head, put back on the network, sees pictures as it saw their stored features.
    assert tuned.validation_accuracy_before >= 0.95
    assert len(tuned.history["val_accuracy"]) == 1
    assert tuned.history["val_accuracy"][-1] >= 0.95  # gentle: nothing wrecked
    head_parameters = sum(weight.size for weight in head_weights)
    assert tuned.unlocked.trainable > head_parameters  # blocks 12 and 13 opened too
    for before, after in zip(head_weights, head.get_weights()):
        numpy.testing.assert_array_equal(before, after)
    # The shared network is untouched and still frozen; fine-tuning changed its own copy.
    for before, after in zip(shared_weights, shared.model.get_weights()):
        numpy.testing.assert_array_equal(before, after)
    assert not any(layer.trainable for layer in shared.model.layers)
    copied_kernel = tuned.model.get_layer("pretrained_network").get_layer("conv_pw_13").kernel
    assert not numpy.array_equal(copied_kernel.numpy(),
                                 shared.model.get_layer("conv_pw_13").kernel.numpy())
