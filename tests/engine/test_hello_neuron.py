"""The learning-rate bound that lesson 2's blow-up advice quotes, checked by training."""

from engine import hello_neuron


def test_the_stable_learning_rate_bound_separates_settling_from_blowing_up():
    bound = hello_neuron.largest_stable_learning_rate(hello_neuron.COURSE_XS)
    assert 0.17 < bound < 0.18
    for learning_rate, blows_up in [(0.95 * bound, False), (1.05 * bound, True)]:
        result = hello_neuron.train_hello_neuron(hello_neuron.COURSE_XS, hello_neuron.COURSE_YS,
                                                 epochs=2000, learning_rate=learning_rate)
        assert (result.history.diverged_at_epoch is not None) == blows_up
