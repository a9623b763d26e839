"""Run keys: every setting that changes what is learned changes the key, and nothing else does
(so identical runs are trained once); and a training routine cannot change without its recipe
version changing too (so runs trained the old way are not handed out as new ones)."""

import ast
import dataclasses
import hashlib
import inspect
import textwrap

import pytest

from engine import augment
from engine import convolutions
from engine import dropout_pair
from engine import fashion_mnist
from engine import fine_tuning
from engine import frozen_base
from engine import hello_neuron
from engine import image_folders
from engine import real_world
from engine import recipes
from engine import rules
from engine import training
from engine import transfer
from engine import transfer_features

ROTATION = (("rotation_range", 40),)
ONLY_RESCALE_AND_FILL = (("rescale", True), ("fill_mode", "reflect"))
PAIR = dropout_pair.PairSettings(weights_identity="sha256:abc")

# (default settings, job maker, {setting: another value that changes what is learned},
#  {setting: another value that does not})
CASES = {
    "fashion-mnist": (
        fashion_mnist.FashionSettings(), fashion_mnist.job,
        dict(hidden_units=512, extra_hidden_layer=True, normalise=False, epochs=3,
             batch_size=32, learning_rate=0.001, target_accuracy=0.9, training_images=6000,
             seed=1),
        dict(tensorboard=True)),
    "fashion-cnn": (
        convolutions.CnnSettings(), convolutions.job,
        dict(filters=64, conv_blocks=1, epochs=3, batch_size=32, learning_rate=0.001,
             training_images=6000, seed=1, normalise=False, target_accuracy=0.9),
        dict(tensorboard=True)),
    "real-world": (
        real_world.RealWorldSettings(), real_world.job,
        dict(dataset="cats_and_dogs_filtered", image_size=100, conv_blocks=3, epochs=3,
             batch_size=16, learning_rate=0.0005, seed=1, augmentation=ROTATION),
        dict(training_folder="/somewhere/train", validation_folder="/somewhere/validation",
             augmentation=ONLY_RESCALE_AND_FILL, tensorboard=True)),
    "dropout-pair": (
        PAIR, dropout_pair.job,
        dict(base_name="MobileNet 0.25", weights_identity="sha256:def", image_size=128,
             pixel_scaling="network", cut_layer_name="mixed6", dataset="cats_and_dogs_filtered",
             augmentation=ROTATION, dropout_rate=0.5, epochs=3, batch_size=20, seed=1),
        dict(weights_path="/somewhere/weights.h5", training_folder="/somewhere/train",
             validation_folder="/somewhere/validation", views=8,
             augmentation=ONLY_RESCALE_AND_FILL, tensorboard=True)),
    "fine-tuning": (
        fine_tuning.FineTuneSettings(PAIR, "with dropout", "mixed6"), fine_tuning.job,
        dict(pair=dataclasses.replace(PAIR, pixel_scaling="network"),
             head_name="without dropout", unfreeze_after="mixed5", epochs=3),
        dict(pair=dataclasses.replace(PAIR, weights_path="/somewhere/weights.h5",
                                      tensorboard=True), tensorboard=True)),
    "hello-neuron": (
        hello_neuron.HelloNeuronSettings(), hello_neuron.job,
        dict(xs=(1.0, 2.0), ys=(2.0, 4.0), epochs=100, learning_rate=0.1, seed=1), dict(tensorboard=True)),
    "rule-finder": (
        rules.RuleSettings((1.0, 2.0), (3.0, 5.0)), rules.job,
        dict(xs=(1.0, 3.0), answers=(3.0, 7.0), epochs=100, seed=1), dict(tensorboard=True)),
}


@pytest.mark.parametrize("kind", CASES)
def test_each_setting_that_matters_and_only_those_change_the_key(kind):
    defaults, make_job, matters, does_not = CASES[kind]
    assert make_job(defaults).kind == kind
    key = make_job(defaults).key
    for name, value in matters.items():
        assert make_job(dataclasses.replace(defaults, **{name: value})).key != key, name
    for name, value in does_not.items():
        assert make_job(dataclasses.replace(defaults, **{name: value})).key == key, name
    # Every field is covered, so a new setting must be sorted into one of the two.
    fields = {field.name for field in dataclasses.fields(defaults)}
    assert fields <= set(matters) | set(does_not), fields - set(matters) - set(does_not)


def test_renaming_the_cut_setting_kept_every_stored_pair_found():
    # PairSettings.cut_layer became cut_layer_name; the key still says "cut_layer", so the
    # default pair's key is the one runs were stored under before (recorded at 7d8134d).
    assert "cut_layer" in dropout_pair.job(dropout_pair.PairSettings()).key_settings
    assert dropout_pair.job(dropout_pair.PairSettings()).key == (
        "c2dc0b673ecbd7df008c49a98bc6a5f31cc9630058ec7ddc3b019bf74642da91")


def test_views_count_only_with_augmentation():
    augmented = dataclasses.replace(PAIR, augmentation=ROTATION, views=4)
    assert (dropout_pair.job(dataclasses.replace(augmented, views=8)).key
            != dropout_pair.job(augmented).key)


def test_a_local_folder_is_fingerprinted_by_both_splits(tmp_path):
    training, validation = tmp_path / "train", tmp_path / "validation"
    for split in (training, validation):
        (split / "cats").mkdir(parents=True)
        (split / "cats" / "a.png").write_bytes(b"first")
    before = image_folders.local_folders_fingerprint(training, validation)
    (validation / "cats" / "a.png").write_bytes(b"other")  # same size, edited
    assert image_folders.local_folders_fingerprint(training, validation) != before
    changed = image_folders.local_folders_fingerprint(training, validation)
    (validation / "cats" / "b.png").write_bytes(b"new")
    assert image_folders.local_folders_fingerprint(training, validation) != changed


# What each kind's runs are made of. Change any of it in a way that changes what is learned
# (training order, preprocessing, the model, the fit), and raise the module's
# RECIPE_VERSION; then record the new fingerprint below. A change that learns nothing new
# (a comment, a name) only needs the new fingerprint.
ROUTINES = {
    "fashion-mnist": (fashion_mnist, [fashion_mnist.train_fashion_mnist,
                                      fashion_mnist.prepare_images, training.fit_and_evaluate,
                                      recipes.fashion_mnist_model, recipes.fashion_mnist_classifier,
                                      recipes.StopAtAccuracy]),
    "fashion-cnn": (convolutions, [convolutions.train_fashion_cnn, fashion_mnist.prepare_images,
                                   training.fit_and_evaluate, recipes.fashion_cnn_model,
                                   recipes.fashion_mnist_classifier,
                                   recipes.StopAtAccuracy]),
    "real-world": (real_world, [real_world.train_job, real_world.train_real_world,
                                recipes.real_world_model, image_folders.load_folders,
                                image_folders.in_batches, augment.augmentation_layers]),
    "dropout-pair": (dropout_pair, [dropout_pair.train_job, dropout_pair.train_paired,
                                    dropout_pair.paired_heads, recipes.feature_head_model,
                                    recipes.classifier_head,
                                    transfer_features.cached_features,
                                    transfer_features.extract_features,
                                    transfer.prepare_pictures, transfer.scale_as_the_course,
                                    transfer.scale_as_the_network]),
    "fine-tuning": (fine_tuning, [fine_tuning.train_job, fine_tuning.fine_tune,
                                  fine_tuning.network_copy, frozen_base.fine_tuning_model,
                                  recipes.unfreeze_top_layers,
                                  transfer.prepare_pictures, transfer.scale_as_the_course,
                                  transfer.scale_as_the_network]),
    "hello-neuron": (hello_neuron, [hello_neuron.train_hello_neuron, training.train_full_batch,
                                    training.make_epoch_runner, recipes.hello_neuron_model,
                                    recipes.one_neuron_model]),
    "rule-finder": (rules, [rules.find_rule, training.train_full_batch,
                            training.make_epoch_runner, recipes.rule_finder_model,
                            recipes.one_neuron_model]),
}
FINGERPRINTS = {
    "fashion-mnist": (2, "af945ee0f705e40a"),
    "fashion-cnn": (2, "6d9473cd67d74228"),
    "real-world": (2, "496653fc78fe9895"),
    # Both kept version 1 when the pixel scaling became a setting: it joined their keys, so
    # no run stored before it can be handed out for a key that holds it.
    "dropout-pair": (1, "612fdefc8ebfd536"),
    "fine-tuning": (1, "46fadc8ea7c89df0"),
    "hello-neuron": (1, "b2397c5f8767e59f"),
    "rule-finder": (1, "ccb5c63113cbe619"),
}


def code_fingerprint(functions) -> str:
    """A digest of the functions' code, docstrings and comments left out."""
    hasher = hashlib.sha256()
    for function in functions:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                    and isinstance(getattr(body[0], "value", None), ast.Constant)
                    and isinstance(body[0].value.value, str)):
                body.pop(0)
        hasher.update(ast.dump(tree).encode())
    return hasher.hexdigest()[:16]


@pytest.mark.parametrize("kind", ROUTINES)
def test_a_changed_routine_comes_with_a_new_recipe_version(kind):
    module, functions = ROUTINES[kind]
    found = (module.RECIPE_VERSION, code_fingerprint(functions))
    assert FINGERPRINTS.get(kind) == found, (
        f"The code that trains {kind} runs changed. If it changes what a run learns, raise "
        f"{module.__name__}.RECIPE_VERSION; then set FINGERPRINTS[{kind!r}] = {found!r}.")
