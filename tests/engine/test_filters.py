"""engine.filters against TensorFlow itself, plus the learner's mistakes it must refuse."""

import numpy
import pytest
import tensorflow
from PIL import Image

from engine import filters

# Odd, even, square and not: 'valid' convolution and pooling must get every edge right.
IMAGE_SHAPES = [(3, 3), (4, 4), (5, 5), (6, 9), (28, 28), (31, 17), (64, 3)]


def random_images_and_kernels(seed):
    generator = numpy.random.default_rng(seed)
    for shape in IMAGE_SHAPES:
        image = generator.uniform(0, 255, size=shape)
        kernel = generator.normal(0, 2, size=(3, 3))
        weight = generator.uniform(-3, 3)
        yield image, kernel, weight


def assert_close_relative_to_magnitude(ours, theirs):
    scale = max(1.0, float(numpy.abs(theirs).max(initial=0.0)))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5 * scale)


def tensorflow_convolution(image, kernel, weight):
    batch = image.reshape(1, *image.shape, 1)
    filters_in_out = kernel.reshape(3, 3, 1, 1)
    result = tensorflow.nn.conv2d(batch, filters_in_out, strides=1, padding="VALID")
    return result.numpy()[0, :, :, 0] * weight


def tensorflow_max_pool(values):
    batch = values.reshape(1, *values.shape, 1)
    result = tensorflow.nn.max_pool2d(batch, ksize=2, strides=2, padding="VALID")
    return result.numpy()[0, :, :, 0]


# The oracle: our numpy convolution and pooling are what Keras layers compute.

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_convolve_agrees_with_tensorflow_conv2d(seed):
    for image, kernel, weight in random_images_and_kernels(seed):
        ours = filters.convolve(image, kernel, weight)
        assert ours.shape == (image.shape[0] - 2, image.shape[1] - 2)
        assert ours.dtype == numpy.float64
        assert_close_relative_to_magnitude(ours, tensorflow_convolution(image, kernel, weight))


def test_convolve_does_not_flip_the_kernel():
    # A kernel that only looks at the top-left neighbour shifts the picture, it does not
    # mirror: cross-correlation, as in tf.nn.conv2d.
    image = numpy.arange(25, dtype=float).reshape(5, 5)
    top_left = [[1, 0, 0], [0, 0, 0], [0, 0, 0]]
    numpy.testing.assert_array_equal(filters.convolve(image, top_left), image[:3, :3])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_max_pool_agrees_with_tensorflow_max_pool2d(seed):
    generator = numpy.random.default_rng(seed)
    for shape in [(2, 2), (3, 3), (5, 5), (13, 13), (26, 26), (31, 17), (7, 2)]:
        values = generator.normal(0, 100, size=shape)
        ours = filters.max_pool(values)
        assert ours.shape == (shape[0] // 2, shape[1] // 2)
        assert_close_relative_to_magnitude(ours, tensorflow_max_pool(values))


def test_relu_agrees_with_tensorflow():
    values = numpy.random.default_rng(3).normal(size=(9, 7))
    numpy.testing.assert_array_equal(filters.relu(values), tensorflow.nn.relu(values).numpy())


# The course's numbers.

def test_sizes_shrink_as_the_course_says():
    image = numpy.random.default_rng(4).uniform(0, 255, size=(28, 28))
    steps = filters.pipeline(image, filters.PRESETS["edges (the course's first)"], 1.0)
    assert steps.shapes == {
        "image": (28, 28), "convolved": (26, 26), "after_relu": (26, 26), "pooled": (13, 13),
    }
    assert (steps.after_relu >= 0).all()
    numpy.testing.assert_array_equal(steps.pooled, filters.max_pool(filters.relu(steps.convolved)))


def test_identity_preset_returns_the_inner_crop():
    image = numpy.random.default_rng(5).uniform(0, 255, size=(31, 17))
    cropped = filters.convolve(image, filters.PRESETS["identity"])
    numpy.testing.assert_array_equal(cropped, image[1:-1, 1:-1])


def test_weight_scales_the_result():
    image = numpy.random.default_rng(6).uniform(0, 255, size=(10, 10))
    kernel = filters.PRESETS["vertical lines"]
    numpy.testing.assert_allclose(filters.convolve(image, kernel, 0.5),
                                  filters.convolve(image, kernel) * 0.5)


def test_every_preset_parses_and_is_explained():
    assert set(filters.PRESET_EXPLANATIONS) == set(filters.PRESETS)
    for name, cells in filters.PRESETS.items():
        kernel = filters.parse_kernel(cells)
        assert kernel.shape == (3, 3) and kernel.dtype == numpy.float64
        assert filters.PRESET_EXPLANATIONS[name].count(". ") >= 1  # at least two sentences
    assert filters.parse_kernel(filters.PRESETS["box blur"]).sum() == pytest.approx(1.0)


def test_preset_cells_are_a_copy_a_page_may_edit():
    cells = filters.preset_cells("sharpen")
    cells[1][1] = 99
    assert filters.PRESETS["sharpen"][1][1] == 5
    with pytest.raises(ValueError, match="no filter called"):
        filters.preset_cells("sparkle")


# What learners type.

def test_parse_kernel_reads_what_a_learner_types():
    kernel = filters.parse_kernel([[" 2 ", "-1.5", 0], [1, "\u22121", "1e3"], [0.25, 3, "0"]])
    numpy.testing.assert_array_equal(kernel, [[2, -1.5, 0], [1, -1, 1000], [0.25, 3, 0]])
    numpy.testing.assert_array_equal(filters.parse_kernel(numpy.eye(3)), numpy.eye(3))


@pytest.mark.parametrize("bad_cell", ["", "   ", None, "abc", "nan", "inf", "-inf", 1e300,
                                      "1e300", float("nan"), float("inf"), True, [1]])
def test_bad_cells_are_refused_naming_row_and_column(bad_cell):
    cells = filters.preset_cells("identity")
    cells[2][1] = bad_cell
    with pytest.raises(ValueError, match="Row 3, column 2"):
        filters.parse_kernel(cells)


@pytest.mark.parametrize("cells, words", [
    ([[1, 2, 3], [4, 5, 6]], "2 rows"),
    ([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]], "4 rows"),
    ([[1, 2, 3], [4, 5], [7, 8, 9]], "Row 2 of the kernel has 2 values"),
    ([[1, 2, 3], [4, 5, 6], [7, 8, 9, 10]], "Row 3 of the kernel has 4 values"),
    ([1, 2, 3], "Row 1"),
    ("123456789", "not a single value"),
    (7, "not a single value"),
    (numpy.zeros((3, 4)), "Row 1 of the kernel has 4 values"),
])
def test_wrong_shapes_are_refused(cells, words):
    with pytest.raises(ValueError, match=words):
        filters.parse_kernel(cells)


def test_convolve_refuses_bad_kernels_too():
    with pytest.raises(ValueError, match="Row 1, column 1"):
        filters.convolve(numpy.zeros((5, 5)), [["abc", 0, 0], [0, 1, 0], [0, 0, 0]])


def test_all_zero_kernel_gives_zeros_and_says_so():
    zeros = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    image = numpy.random.default_rng(7).uniform(0, 255, size=(8, 8))
    numpy.testing.assert_array_equal(filters.convolve(image, zeros), numpy.zeros((6, 6)))
    assert "all zero" in filters.describe_kernel(zeros)
    assert "all zero" in filters.describe_kernel(filters.PRESETS["identity"], weight=0)


def test_describe_kernel_talks_about_flat_areas():
    assert "edges" in filters.describe_kernel(filters.PRESETS["vertical lines"])
    assert "keep their brightness" in filters.describe_kernel(filters.PRESETS["box blur"])
    assert "brighter" in filters.describe_kernel(filters.PRESETS["identity"], weight=2)
    assert "ReLU" in filters.describe_kernel(filters.PRESETS["identity"], weight=-1)


# Numbers must never explode into NaN or infinity on the page.

@pytest.mark.parametrize("weight", [1e308, -1e308])
def test_huge_weight_is_refused_rather_than_returning_infinity(weight):
    image = numpy.full((6, 6), 255.0)
    with pytest.raises(ValueError, match="weight is so large"):
        filters.convolve(image, filters.PRESETS["sharpen"], weight)


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), "lots", None])
def test_weight_must_be_a_finite_number(weight):
    with pytest.raises(ValueError, match="weight must be"):
        filters.convolve(numpy.zeros((5, 5)), filters.PRESETS["identity"], weight)


@pytest.mark.parametrize("image, words", [
    (numpy.zeros((2, 5)), "at least 3x3"),
    (numpy.zeros((5, 5, 3)), "2-D grayscale"),
    (numpy.zeros(9), "2-D grayscale"),
    (numpy.array([[1.0, numpy.nan, 0], [0, 0, 0], [0, 0, 0]]), "not finite"),
    ([["a", "b", "c"]] * 3, "grid of numbers"),
])
def test_convolve_refuses_what_is_not_a_grayscale_picture(image, words):
    with pytest.raises(ValueError, match=words):
        filters.convolve(image, filters.PRESETS["identity"])


def test_pooling_and_pipeline_refuse_grids_too_small():
    with pytest.raises(ValueError, match="at least 2x2"):
        filters.max_pool(numpy.zeros((1, 5)))
    with pytest.raises(ValueError, match="whole number"):
        filters.max_pool(numpy.zeros((4, 4)), size=0)
    with pytest.raises(ValueError, match="at least 4x4"):
        filters.pipeline(numpy.zeros((3, 3)), filters.PRESETS["identity"], 1.0)


def test_uint8_pictures_are_computed_in_float_without_wrapping():
    image = numpy.full((5, 5), 250, dtype=numpy.uint8)
    result = filters.convolve(image, filters.PRESETS["sharpen"], 2.0)
    numpy.testing.assert_array_equal(result, numpy.full((3, 3), 500.0))


# The built-in pictures.

def test_builtin_images_are_deterministic_pictures_with_structure():
    first, second = filters.make_builtin_images(), filters.make_builtin_images()
    assert tuple(first) == filters.BUILTIN_IMAGE_NAMES
    for name, picture in first.items():
        assert picture.ndim == 2 and picture.shape == (128, 128) and picture.dtype == numpy.uint8
        assert picture.std() > 20, f"{name} is nearly flat"
        numpy.testing.assert_array_equal(picture, second[name])
    assert filters.make_builtin_images(size=28)["bricks"].shape == (28, 28)


def test_staircase_has_strong_horizontal_and_vertical_lines():
    staircase = filters.make_builtin_images()["staircase"]
    for preset in ["horizontal lines (the course's second)", "vertical lines"]:
        assert numpy.abs(filters.convolve(staircase, filters.PRESETS[preset])).max() > 500


def test_pngs_in_assets_match_the_generator():
    for name, picture in filters.make_builtin_images().items():
        path = filters.builtin_image_path(name)
        assert path.exists(), f"run assets/make_filter_images.py to create {path.name}"
        assert path.stat().st_size < 30_000
        with Image.open(path) as saved:
            numpy.testing.assert_array_equal(numpy.asarray(saved.convert("L")), picture)
        numpy.testing.assert_array_equal(filters.load_builtin_image(name), picture)


def test_load_builtin_image_draws_the_picture_when_the_file_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(filters, "BUILTIN_IMAGE_FOLDER", tmp_path)
    picture = filters.load_builtin_image("a house")
    numpy.testing.assert_array_equal(picture, filters.make_builtin_images()["a house"])
    with pytest.raises(ValueError, match="no built-in picture"):
        filters.load_builtin_image("a cat")
