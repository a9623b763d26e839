"""The fast full-batch loop is an oracle-checked replacement for model.fit."""

import keras
import numpy
import pytest

from engine import hello_neuron
from engine import recipes
from engine import training


def fit_the_course_way(epochs, learning_rate=0.01, seed=0):
    keras.utils.set_random_seed(seed)
    model = recipes.hello_neuron_model(learning_rate)
    history = model.fit(numpy.array(hello_neuron.COURSE_XS), numpy.array(hello_neuron.COURSE_YS),
                        epochs=epochs, verbose=0)
    return model, history.history["loss"]


def test_same_weights_and_losses_as_model_fit():
    epochs = 40  # model.fit costs ~40 ms an epoch; 40 epochs keep this test short
    fitted, fit_losses = fit_the_course_way(epochs)
    keras.utils.set_random_seed(0)
    model = recipes.hello_neuron_model()
    history = training.train_full_batch(model, hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                        epochs, chunk_epochs=7)
    assert history.epochs_done == epochs
    numpy.testing.assert_allclose(history.losses, fit_losses, rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), fitted.get_weights()):
        numpy.testing.assert_allclose(ours, theirs, atol=1e-6)
    # The recorded weights after the last epoch are the model's final weights.
    numpy.testing.assert_allclose(history.weights[-1],
                                  [model.get_weights()[0][0][0], model.get_weights()[1][0]])


def test_course_result_converges_near_19():
    result = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS)
    assert result.history.epochs_done == 500
    assert abs(result.weight - 2.0) < 0.01 and abs(result.bias + 1.0) < 0.02
    assert 18.9 < result.prediction_for_10 < 19.0  # close to, not exactly, 19
    assert result.history.losses[-1] < result.history.losses[0] / 1000


def test_same_seed_same_curve_and_other_seed_other_start():
    first = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                            epochs=60, seed=3)
    again = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                            epochs=60, seed=3)
    other = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                            epochs=60, seed=4)
    assert first.history.losses == again.history.losses
    assert first.history.losses[0] != other.history.losses[0]


def test_divergence_is_reported_and_keeps_only_finite_epochs():
    result = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                             learning_rate=0.5)
    history = result.history
    assert history.diverged_at_epoch is not None
    assert history.epochs_done == history.diverged_at_epoch - 1
    assert all(numpy.isfinite(history.losses))
    assert result.prediction_for_10 is None


def test_progress_is_reported_per_chunk_and_stop_keeps_what_was_learned():
    seen = []
    keras.utils.set_random_seed(0)
    model = recipes.hello_neuron_model()
    history = training.train_full_batch(
        model, hello_neuron.COURSE_XS, hello_neuron.COURSE_YS, epochs=100, chunk_epochs=10,
        on_progress=lambda progress: seen.append(progress.epochs_done),
        should_stop=lambda: len(seen) >= 3,
    )
    assert seen == [10, 20, 30]
    assert history.stopped_early and history.epochs_done == 30
    assert len(history.weights) == 30


def test_zero_epochs_is_refused():
    with pytest.raises(ValueError, match="at least one epoch"):
        training.train_full_batch(recipes.hello_neuron_model(), [1, 2], [1, 2], epochs=0)


def test_the_callback_s_sentence_is_told_from_the_run_s_own_history():
    from engine import run_cache

    def run(accuracies, stopped_at, complete=True):
        return run_cache.RunResult(None, {"accuracy": accuracies},
                                   {"stopped_by_callback_at_epoch": stopped_at},
                                   complete=complete)

    assert training.callback_outcome(run([0.80, 0.86, 0.893], 3), 0.89, 9) == (
        "Your callback stopped training after epoch 3 of 9: training accuracy 0.8930 passed "
        "the target 0.89.")
    assert training.callback_outcome(run([0.80, 0.95], 2), 0.9, 2).startswith(
        "Your callback's target 0.9 was passed only in the last epoch, 2 of 2 (training "
        "accuracy 0.9500)")
    assert training.callback_outcome(run([0.80, 0.86, 0.85], None), 0.89, 3).startswith(
        "Your callback never stopped training: training accuracy reached at most 0.8600 "
        "(epoch 2 of 3), not above the target 0.89.")
    assert training.callback_outcome(run([0.80], None, complete=False), 0.89, 3) is None
    assert training.callback_outcome(run([0.80, 0.95], None), None, 2) is None  # no callback
