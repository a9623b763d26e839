"""engine.augment: the course's ImageDataGenerator settings as Keras 3 layers.

The mappings are checked three ways: the layer arguments themselves, what the layers do to
pictures, and, where the legacy generator still runs, against ImageDataGenerator itself.
"""

import dataclasses
import math

import keras
import numpy
import pytest

from engine import augment

COURSE_CALL = """train_datagen = ImageDataGenerator(
      rescale=1./255,
      rotation_range=40,
      width_shift_range=0.2,
      height_shift_range=0.2,
      shear_range=0.2,
      zoom_range=0.2,
      horizontal_flip=True,
      fill_mode='nearest')"""

FLIP_ONLY = augment.AugmentSettings(horizontal_flip=True)
SOME_SETTINGS = [
    augment.COURSE_SETTINGS,
    augment.NO_AUGMENTATION,
    FLIP_ONLY,
    augment.AugmentSettings(rotation_range=15.5, fill_mode="constant"),
    augment.AugmentSettings(rescale=True, height_shift_range=0.1, zoom_range=0.5,
                            fill_mode="reflect"),
    augment.AugmentSettings(width_shift_range=0.3, shear_range=30, fill_mode="wrap"),
]


def picture(height=32, width=40):
    """A lopsided colour picture, so that mirrors, turns and shifts all show."""
    rows, columns = numpy.mgrid[0:height, 0:width]
    image = numpy.stack([columns * 255 // width, rows * 255 // height,
                         (rows * columns) % 256], axis=-1).astype(numpy.uint8)
    image[4:10, 3:12] = (250, 20, 20)
    return image


def layers_by_type(layers):
    return {type(layer).__name__: layer for layer in layers}


def config_without_name(layer):
    config = layer.get_config()
    config.pop("name")
    return config


# --- The mappings, argument by argument ---------------------------------------------------

def test_course_settings_give_the_five_layers_in_the_legacy_order():
    layers = augment.augmentation_layers(augment.COURSE_SETTINGS)
    assert [type(layer).__name__ for layer in layers] == [
        "RandomRotation", "RandomTranslation", "RandomShear", "RandomZoom", "RandomFlip"]


def test_no_augmentation_gives_no_layers_but_keeps_rescaling():
    assert augment.augmentation_layers(augment.NO_AUGMENTATION) == []
    assert augment.NO_AUGMENTATION.rescale  # rescaling is not augmentation


def test_course_numbers_become_these_layer_arguments():
    layers = layers_by_type(augment.augmentation_layers(augment.COURSE_SETTINGS))
    # 40 degrees either way is 40/360 of a full turn either way.
    assert layers["RandomRotation"].get_config()["factor"] == (-40 / 360, 40 / 360)
    # A zoom_range of 0.2 means scales 0.8..1.2, drawn separately for height and width.
    assert layers["RandomZoom"].get_config()["height_factor"] == (-0.2, 0.2)
    assert layers["RandomZoom"].get_config()["width_factor"] == (-0.2, 0.2)
    # 0.2 degrees of shear lean sideways by sin(0.2 degrees), either way.
    lean = math.sin(math.radians(0.2))
    assert layers["RandomShear"].x_factor == (-lean, lean)
    assert layers["RandomShear"].y_factor == (-0.0, 0.0)
    assert augment.shear_factor(30) == pytest.approx(0.5)


def test_shift_fractions_carry_over_with_their_own_directions():
    settings = augment.AugmentSettings(width_shift_range=0.1, height_shift_range=0.3)
    (translation,) = augment.augmentation_layers(settings)
    assert (translation.width_lower, translation.width_upper) == (-0.1, 0.1)
    assert (translation.height_lower, translation.height_upper) == (-0.3, 0.3)


def test_flip_only_when_on_and_only_horizontal():
    no_flip = dataclasses.replace(augment.COURSE_SETTINGS, horizontal_flip=False)
    assert "RandomFlip" not in layers_by_type(augment.augmentation_layers(no_flip))
    (flip,) = augment.augmentation_layers(FLIP_ONLY)
    assert flip.get_config()["mode"] == "horizontal"


@pytest.mark.parametrize("fill_mode", augment.FILL_MODES)
def test_every_fill_mode_reaches_every_layer_that_fills(fill_mode):
    settings = dataclasses.replace(augment.COURSE_SETTINGS, fill_mode=fill_mode)
    for layer in augment.augmentation_layers(settings):
        if not isinstance(layer, keras.layers.RandomFlip):
            assert layer.fill_mode == fill_mode
            assert fill_mode in layer._SUPPORTED_FILL_MODE


def test_each_layer_gets_its_own_seed_that_survives_other_switches():
    def seeds(settings, seed):
        return [layer.seed for layer in augment.augmentation_layers(settings, seed=seed)]

    course_seeds = seeds(augment.COURSE_SETTINGS, 3)
    assert len(set(course_seeds)) == len(course_seeds)
    without_flip = dataclasses.replace(augment.COURSE_SETTINGS, horizontal_flip=False)
    assert seeds(without_flip, 3) == course_seeds[:4]
    assert set(seeds(augment.COURSE_SETTINGS, None)) == {None}


# --- What the layers do to pictures -------------------------------------------------------

def test_no_augmentation_preview_is_the_picture_itself():
    image = picture()
    grid = augment.preview_grid(image, augment.NO_AUGMENTATION, count=5)
    assert grid.shape == (5, *image.shape) and grid.dtype == numpy.uint8
    assert (grid == image).all()


def test_preview_repeats_for_a_seed_rerolls_for_another_and_changes_pixels():
    image = picture()
    first = augment.preview_grid(image, augment.COURSE_SETTINGS, count=8, seed=1)
    assert first.shape == (8, *image.shape) and first.dtype == numpy.uint8
    assert (augment.preview_grid(image, augment.COURSE_SETTINGS, count=8, seed=1) == first).all()
    assert (augment.preview_grid(image, augment.COURSE_SETTINGS, count=8, seed=2) != first).any()
    assert all((tile != image).any() for tile in first)
    assert len({tile.tobytes() for tile in first}) == 8  # each copy gets its own draw


def test_horizontal_flip_alone_gives_the_picture_or_its_mirror_exactly():
    image = picture()
    grid = augment.preview_grid(image, FLIP_ONLY, count=16, seed=0)
    mirrored = [bool((tile == image[:, ::-1]).all()) for tile in grid]
    assert all(flipped or (tile == image).all() for tile, flipped in zip(grid, mirrored))
    assert 0 < sum(mirrored) < 16


def test_constant_fill_blackens_rotated_corners_while_nearest_does_not():
    white = numpy.full((48, 48, 3), 255, numpy.uint8)
    constant = augment.AugmentSettings(rotation_range=40, fill_mode="constant")
    corners = augment.preview_grid(white, constant, count=16)[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners.max(axis=(1, 2)) < 128).sum() >= 14  # all but near-zero turns
    nearest = dataclasses.replace(constant, fill_mode="nearest")
    assert (augment.preview_grid(white, nearest, count=16) == 255).all()


def test_layers_do_nothing_outside_training_so_validation_is_not_augmented():
    batch = picture()[numpy.newaxis].astype("float32")
    model = augment.augmentation_model(augment.COURSE_SETTINGS, seed=0)
    assert numpy.array_equal(keras.ops.convert_to_numpy(model(batch, training=False)), batch)


# --- The generated code, in both dialects -------------------------------------------------

def run(code):
    namespace = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    return namespace


def test_course_settings_write_the_course_call_word_for_word():
    assert COURSE_CALL in augment.image_data_generator_code(augment.COURSE_SETTINGS)


@pytest.mark.parametrize("settings", SOME_SETTINGS, ids=repr)
def test_image_data_generator_code_builds_a_generator_with_these_settings(settings):
    generator = run(augment.image_data_generator_code(settings))["train_datagen"]
    assert generator.rescale == (1.0 / 255 if settings.rescale else None)
    assert generator.rotation_range == settings.rotation_range
    assert generator.width_shift_range == settings.width_shift_range
    assert generator.height_shift_range == settings.height_shift_range
    assert generator.shear_range == settings.shear_range
    assert generator.zoom_range == [1 - settings.zoom_range, 1 + settings.zoom_range]
    assert generator.horizontal_flip == settings.horizontal_flip
    assert generator.fill_mode == settings.fill_mode


@pytest.mark.parametrize("seed", [None, 7])
@pytest.mark.parametrize("settings", SOME_SETTINGS, ids=repr)
def test_keras3_code_builds_the_same_layers_with_the_same_arguments(settings, seed):
    namespace = run(augment.keras3_layers_code(settings, seed=seed))
    built = namespace["data_augmentation"].layers
    expected = augment.augmentation_layers(settings, seed=seed)
    assert [type(layer) for layer in built] == [type(layer) for layer in expected]
    assert [config_without_name(layer) for layer in built] == \
        [config_without_name(layer) for layer in expected]
    assert ("rescaling" in namespace) == settings.rescale


@pytest.mark.parametrize("dialect", augment.DIALECTS)
def test_validation_code_only_rescales(dialect):
    namespace = run(augment.validation_pipeline_code(augment.COURSE_SETTINGS, dialect))
    if dialect == "keras3":
        (layer,) = namespace["validation_preprocessing"].layers
        assert isinstance(layer, keras.layers.Rescaling)
    else:
        generator = namespace["validation_datagen"]
        assert generator.rescale == 1.0 / 255 and generator.rotation_range == 0
    assert "No." in augment.VALIDATION_NOTE


# --- Refusing what a learner might type ---------------------------------------------------

@pytest.mark.parametrize("change, words", [
    ({"rotation_range": 200}, "rotation range"),
    ({"rotation_range": -5}, "rotation range"),
    ({"width_shift_range": 1.0}, "width shift"),
    ({"height_shift_range": 20}, "height shift"),
    ({"shear_range": 90}, "shear range"),
    ({"zoom_range": 1.5}, "zoom range"),
    ({"zoom_range": float("nan")}, "finite"),
    ({"rotation_range": "40"}, "must be a number"),
    ({"rotation_range": True}, "must be a number"),
    ({"horizontal_flip": "yes"}, "True or False"),
    ({"rescale": 1 / 255}, "True or False"),
    ({"fill_mode": "mirror"}, "fill mode"),
])
def test_validate_refuses_bad_values_with_a_sentence(change, words):
    settings = dataclasses.replace(augment.COURSE_SETTINGS, **change)
    with pytest.raises(ValueError, match=words):
        settings.validate()
    with pytest.raises(ValueError):
        augment.augmentation_layers(settings)


def test_preview_and_code_refuse_bad_requests():
    with pytest.raises(ValueError, match="colour picture"):
        augment.preview_grid(picture()[..., 0], FLIP_ONLY)
    with pytest.raises(ValueError, match="colour picture"):
        augment.preview_grid(picture().astype("float32"), FLIP_ONLY)
    with pytest.raises(ValueError, match="from 1 to"):
        augment.preview_grid(picture(), FLIP_ONLY, count=0)
    with pytest.raises(ValueError, match="seed"):
        augment.preview_grid(picture(), FLIP_ONLY, seed=-1)
    with pytest.raises(ValueError, match="dialect"):
        augment.validation_pipeline_code(augment.COURSE_SETTINGS, "pytorch")


# --- Against the legacy ImageDataGenerator itself -----------------------------------------

@pytest.fixture(scope="module")
def legacy_generator():
    """Keras 3 only keeps ImageDataGenerator as keras._legacy, reachable through tf.keras."""
    pytest.importorskip("scipy")  # the legacy generator transforms with scipy.ndimage
    tensorflow = pytest.importorskip("tensorflow")
    return tensorflow.keras.preprocessing.image.ImageDataGenerator


def legacy_draws(generator_class, image, count, **arguments):
    generator = generator_class(**arguments)
    return numpy.stack([generator.random_transform(image.astype("float32"), seed=seed)
                        for seed in range(count)])


def layer_draws(settings, image, count):
    model = augment.augmentation_model(settings, seed=0)
    batch = numpy.repeat(image[numpy.newaxis], count, axis=0).astype("float32")
    return keras.ops.convert_to_numpy(model(batch, training=True))


def test_legacy_flip_and_layer_flip_make_the_same_two_pictures_about_as_often(legacy_generator):
    image = picture()
    for draws in (legacy_draws(legacy_generator, image, 200, horizontal_flip=True),
                  layer_draws(FLIP_ONLY, image, 200)):
        mirrored = (draws == image[:, ::-1]).all(axis=(1, 2, 3))
        assert ((draws == image).all(axis=(1, 2, 3)) | mirrored).all()
        assert 0.4 < mirrored.mean() < 0.6


def bar_angles(draws):
    """The slant, in degrees, of the bar in each picture, from the second moments of its
    pixels inside a central disc the rotation never empties."""
    size = draws.shape[1]
    rows, columns = numpy.mgrid[0:size, 0:size] - (size - 1) / 2
    weights = draws[..., 0] * (rows ** 2 + columns ** 2 <= (size // 3) ** 2)
    total = weights.sum(axis=(1, 2))
    row_offsets = rows - ((weights * rows).sum(axis=(1, 2)) / total)[:, None, None]
    column_offsets = columns - ((weights * columns).sum(axis=(1, 2)) / total)[:, None, None]
    across = (weights * column_offsets ** 2).sum(axis=(1, 2))
    down = (weights * row_offsets ** 2).sum(axis=(1, 2))
    mixed = (weights * column_offsets * row_offsets).sum(axis=(1, 2))
    return numpy.degrees(0.5 * numpy.arctan2(2 * mixed, across - down))


def test_legacy_and_layer_rotations_draw_angles_alike(legacy_generator):
    """Statistics, not pixels: both turn a bar by angles spread evenly over +-40 degrees.
    ('constant' fill would not do here: the two dialects treat the very edge differently.)"""
    bar = numpy.zeros((64, 64, 3), numpy.uint8)
    bar[30:34] = 255
    legacy = numpy.abs(bar_angles(legacy_draws(legacy_generator, bar, 200, rotation_range=40)))
    ours = numpy.abs(bar_angles(layer_draws(augment.AugmentSettings(rotation_range=40), bar,
                                            200)))
    smaller = numpy.abs(bar_angles(layer_draws(augment.AugmentSettings(rotation_range=20), bar,
                                               200)))
    assert abs(legacy.mean() - ours.mean()) < 3  # both near 20, the mean of an even spread
    assert 36 < legacy.max() < 41 and 36 < ours.max() < 41
    assert abs(smaller.mean() - ours.mean() / 2) < 3  # and the statistic tells ranges apart


def test_a_fixed_turn_and_zoom_match_the_legacy_pixels(legacy_generator):
    """Same angle or scale, same picture: the layers reproduce the legacy transform. The
    picture is square because the legacy generator turns others about a wrong centre."""
    image = picture(40, 40).astype("float32")
    legacy = legacy_generator(fill_mode="nearest")
    rotation = keras.layers.RandomRotation(factor=40 / 360, fill_mode="nearest", seed=1)
    turn = rotation.get_random_transformation(image[numpy.newaxis], training=True)
    turned = rotation.transform_images(image[numpy.newaxis], turn, training=True)
    expected = legacy.apply_transform(image, {"theta": float(turn["angle"][0])})
    assert numpy.abs(keras.ops.convert_to_numpy(turned)[0] - expected).mean() < 0.01

    zoom = keras.layers.RandomZoom((-0.3, 0.3), (-0.3, 0.3), fill_mode="nearest")
    for scale in (0.8, 1.25):  # above 1 zooms out in both dialects
        scales = numpy.array([[scale]], "float32")
        zoomed = zoom.transform_images(image[numpy.newaxis],
                                       {"height_zoom": scales, "width_zoom": scales},
                                       training=True)
        expected = legacy.apply_transform(image, {"zx": scale, "zy": scale})
        assert numpy.abs(keras.ops.convert_to_numpy(zoomed)[0] - expected).mean() < 0.01


def test_a_shear_angle_leans_lines_by_its_sine_in_both_dialects(legacy_generator):
    stripe = numpy.zeros((64, 64, 3), "float32")
    stripe[:, 30:34] = 255

    def lean(sheared):
        rows, columns = numpy.arange(16, 48), numpy.arange(64)
        weights = sheared[16:48, :, 0]
        centres = (weights * columns).sum(axis=1) / weights.sum(axis=1)
        return abs(numpy.polyfit(rows, centres, 1)[0])

    legacy = legacy_generator(fill_mode="constant").apply_transform(stripe, {"shear": 30})
    shear = keras.layers.RandomShear(x_factor=augment.shear_factor(30), fill_mode="constant")
    ours = shear.transform_images(
        stripe[numpy.newaxis],
        {"shear_factor": numpy.array([[augment.shear_factor(30), 0.0]], "float32"),
         "input_shape": (1, 64, 64, 3)},
        training=True)
    assert lean(legacy) == pytest.approx(0.5, abs=0.01)
    assert lean(keras.ops.convert_to_numpy(ours)[0]) == pytest.approx(0.5, abs=0.01)
