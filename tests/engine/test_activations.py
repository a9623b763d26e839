import numpy

from engine import activations


def maps_with_flat_filters(flat: set, filters: int = 4) -> dict:
    first_layer = numpy.random.default_rng(0).random((2, 6, 6, filters))
    for index in flat:
        first_layer[0, :, :, index] = 0.0  # a ReLU that cut every value of picture 1
    return {"conv2d": first_layer, "max_pooling2d": first_layer[:, ::2, ::2]}


def test_the_course_s_filter_is_shown_first_unless_it_is_flat():
    assert activations.first_lively_filter(maps_with_flat_filters(set())) == 1
    assert activations.first_lively_filter(maps_with_flat_filters({0, 1})) == 2
    assert activations.first_lively_filter(maps_with_flat_filters({0, 1, 2, 3})) == 1
