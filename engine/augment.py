"""Image augmentation: course 2, week 2, told in Keras 3 words.

The course augments with one call:

    ImageDataGenerator(rescale=1./255, rotation_range=40, width_shift_range=0.2,
                       height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                       horizontal_flip=True, fill_mode='nearest')

Keras 3 has no ImageDataGenerator (only `keras._legacy` keeps it); it uses preprocessing layers.
The story of this file:

1. `AugmentSettings` holds exactly the course's arguments, and `validate()` refuses values a
   learner might mistype; `COURSE_SETTINGS` and `NO_AUGMENTATION` are the two famous cases;
2. `augmentation_layers()` turns each setting into a Keras 3 layer (mappings explained below)
   (the course's `rescale=1./255` is not among them: previews want 0..255 pictures, and the
   lesson's model rescales as its first layer);
3. `preview_grid()` pushes one picture many times through those very layers;
4. `image_data_generator_code()` and `keras3_layers_code()` write the same settings in both
   dialects, and `validation_pipeline_code()` shows that validation pictures are only rescaled.

How each course argument maps (checked against the keras 3.15 source):

- rotation_range=40 draws an angle in [-40, 40] degrees (legacy/preprocessing/image.py,
  `np.random.uniform(-self.rotation_range, self.rotation_range)`); RandomRotation's factor is a
  fraction of a full turn (`lower = self.factor[0] * 360.0`), so factor = 40 / 360.
- width/height_shift_range=0.2 draw a shift in [-0.2, 0.2] times the picture's size (legacy:
  `tx *= img_shape[img_row_axis]` when the range is below 1, otherwise it counts pixels);
  RandomTranslation multiplies its factor by the size too (`multiply(height_translate,
  height)`), so the numbers carry over. The legacy generator in Keras 3 swaps the two
  directions (keras-team/keras#17398); we follow the names, as the course meant them.
- shear_range is an angle in DEGREES: `shear = np.deg2rad(shear)` and the matrix
  `[[1, -sin(shear), 0], [0, cos(shear), 0]]` make vertical lines lean by sin(angle) pixels
  sideways per pixel down. RandomShear's x_factor is that lean itself (`[[1, s_x, 0], [s_y, 1,
  0]]`), so x_factor = sin(radians(shear_range)). The course's 0.2 is therefore 0.2 degrees, a
  lean of 0.0035: on a 150-pixel picture, half a pixel. A float x_factor means [-x, x]
  (`lower, upper = [-factor, factor]`, whatever the docstring says); RandomShear shears about
  the top-left corner, not the centre, which for such small leans moves nothing visible.
- zoom_range=0.2 draws a scale in [0.8, 1.2] (`[1 - zoom_range, 1 + zoom_range]`), separately
  for width and height, where above 1 shows more of the scene, i.e. zooms OUT. RandomZoom uses
  `1.0 + factor` the same way ("a positive value means zooming out"), so
  height_factor = width_factor = (-0.2, 0.2), both given so the two are drawn separately too.
- horizontal_flip=True mirrors left-right half of the time: RandomFlip("horizontal").
- fill_mode: all four modes ('nearest', 'constant', 'reflect', 'wrap') are in the
  `_SUPPORTED_FILL_MODE` of RandomRotation, RandomTranslation, RandomShear and RandomZoom, and
  'constant' fills with 0 in both dialects. Honest differences: the legacy generator
  resamples once with a combined matrix, while the layers resample one after another (a little
  more blur, and corners filled by the rotation can be filled again by the shift); and at the
  outermost pixels scipy's 'constant' and 'wrap' differ slightly from TensorFlow's. The layer
  order follows the legacy product (rotation, shift, shear, zoom, then flip), so a fixed turn
  or zoom gives the legacy pixels (the tests check this).
"""

import dataclasses
import math
import numbers

import keras

from engine import keras_lock
import numpy

FILL_MODES = ("nearest", "constant", "reflect", "wrap")
DIALECTS = ("image_data_generator", "keras3")
LARGEST_PREVIEW_COUNT = 64

# Each layer gets its own seed. Layers given the same seed draw the same random numbers, so the
# rotation angle and the vertical shift would always move together. Fixed offsets per layer
# also mean that switching one setting on leaves the other layers' draws where they were.
_SEED_STEP = 10
_SEED_OFFSETS = {"rotation": 1, "translation": 2, "shear": 3, "zoom": 4, "flip": 5}


@dataclasses.dataclass(frozen=True)
class AugmentSettings:
    """The course's ImageDataGenerator arguments, in the course's units."""

    rescale: bool = False  # divide pixels by 255, as rescale=1./255
    rotation_range: float = 0  # degrees, 0..180
    width_shift_range: float = 0.0  # fraction of the width, below 1
    height_shift_range: float = 0.0  # fraction of the height, below 1
    shear_range: float = 0.0  # degrees, below 90
    zoom_range: float = 0.0  # fraction, below 1
    horizontal_flip: bool = False
    fill_mode: str = "nearest"

    def validate(self) -> "AugmentSettings":
        """Raise ValueError, in a sentence a learner understands, for a value out of range."""
        for name in ("rescale", "horizontal_flip"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, not {getattr(self, name)!r}.")
        _check_number("The rotation range", self.rotation_range, 180, "degrees",
                      "180 already allows any turn")
        _check_number("The width shift range", self.width_shift_range, 1, "",
                      "it is a fraction of the width, so 0.2 moves up to a fifth of it",
                      below=True)
        _check_number("The height shift range", self.height_shift_range, 1, "",
                      "it is a fraction of the height, so 0.2 moves up to a fifth of it",
                      below=True)
        _check_number("The shear range", self.shear_range, 90, "degrees",
                      "at 90 degrees the picture would be flattened into a line", below=True)
        _check_number("The zoom range", self.zoom_range, 1, "",
                      "0.2 means from 80% to 120%, and 1 would shrink pictures to nothing",
                      below=True)
        if self.fill_mode not in FILL_MODES:
            raise ValueError(f"There is no fill mode called {self.fill_mode!r}; "
                             f"choose one of {list(FILL_MODES)}.")
        return self


def _check_number(label, value, highest, unit, reason, below=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{label} must be a number, not {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number, not {value!r}.")
    too_high = value >= highest if below else value > highest
    if value < 0 or too_high:
        limit = f"below {highest}" if below else f"at most {highest}"
        raise ValueError(f"{label} is {value:g}{' ' + unit if unit else ''}; choose from 0 to "
                         f"{limit} ({reason}).")


COURSE_SETTINGS = AugmentSettings(
    rescale=True, rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
    shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode="nearest",
)
# No augmentation is the course's plain ImageDataGenerator(rescale=1./255): rescaling
# prepares the pixels, it does not augment them, so turning augmentation off keeps it.
NO_AUGMENTATION = AugmentSettings(rescale=True)


def shear_factor(shear_degrees: float) -> float:
    """RandomShear's x_factor for the course's shear angle: the lean, sin(angle)."""
    return math.sin(math.radians(shear_degrees))


def _layer_recipes(settings: AugmentSettings, seed):
    """(layer class name, arguments) for each setting that is on, in the legacy order.
    Both `augmentation_layers` and `keras3_layers_code` read this, so they cannot disagree."""
    settings.validate()
    fill = {"fill_mode": settings.fill_mode}

    def seeded(arguments, kind):
        if seed is None:
            return arguments
        return {**arguments, "seed": seed * _SEED_STEP + _SEED_OFFSETS[kind]}

    recipes = []
    if settings.rotation_range:
        recipes.append(("RandomRotation",
                        seeded({"factor": settings.rotation_range / 360, **fill}, "rotation")))
    if settings.width_shift_range or settings.height_shift_range:
        recipes.append(("RandomTranslation", seeded({
            "height_factor": settings.height_shift_range,
            "width_factor": settings.width_shift_range, **fill}, "translation")))
    if settings.shear_range:
        recipes.append(("RandomShear",
                        seeded({"x_factor": shear_factor(settings.shear_range), **fill}, "shear")))
    if settings.zoom_range:
        zoom = (-settings.zoom_range, settings.zoom_range)
        recipes.append(("RandomZoom", seeded(
            {"height_factor": zoom, "width_factor": zoom, **fill}, "zoom")))
    if settings.horizontal_flip:
        recipes.append(("RandomFlip", seeded({"mode": "horizontal"}, "flip")))
    return recipes


def augmentation_layers(settings: AugmentSettings, seed=None) -> list:
    """The Keras 3 layers for these settings, only those whose setting is on. With a seed, the
    draws repeat exactly; without one (as in training) every run draws afresh."""
    return [getattr(keras.layers, class_name)(**arguments)
            for class_name, arguments in _layer_recipes(settings, seed)]


def layer_recipes(settings: AugmentSettings) -> list:
    """[[layer class name, arguments], ...] of the layers these settings make: what a run
    trained with them depends on (JSON-ready, for run keys)."""
    return [[class_name, arguments] for class_name, arguments in _layer_recipes(settings, None)]


def augmentation_model(settings: AugmentSettings, seed=None) -> keras.Sequential:
    """The augmentation layers as one Sequential, without rescaling, so outputs stay 0..255.
    Keras cannot call a Sequential with no layers; `preview_grid` handles NO_AUGMENTATION."""
    return keras.Sequential(augmentation_layers(settings, seed), name="data_augmentation")


def preview_grid(image: numpy.ndarray, settings: AugmentSettings, count: int = 16,
                 seed: int = 0) -> numpy.ndarray:
    """`count` random augmentations of one (H, W, 3) uint8 picture, as (count, H, W, 3) uint8.
    The same seed gives the same grid; another seed re-rolls it."""
    image = numpy.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != numpy.uint8:
        raise ValueError("The preview needs a colour picture of 0..255 whole numbers shaped "
                         f"(height, width, 3), not {image.dtype} values shaped {image.shape}.")
    if (isinstance(count, bool) or not isinstance(count, numbers.Integral)
            or not 1 <= count <= LARGEST_PREVIEW_COUNT):
        raise ValueError(f"The preview shows from 1 to {LARGEST_PREVIEW_COUNT} pictures, "
                         f"not {count!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"The seed must be a whole number of 0 or more, not {seed!r}.")
    copies = numpy.repeat(image[numpy.newaxis], count, axis=0)
    # Fresh layers per call, so the draws start from the seed every time.
    with keras_lock.building():
        model = augmentation_model(settings, seed=int(seed))
    if not model.layers:  # nothing is switched on, and Keras cannot run an empty Sequential
        return copies
    # One batch of copies gives each copy its own draw, exactly as a training batch would.
    augmented = keras.ops.convert_to_numpy(model(copies.astype("float32"), training=True))
    return numpy.clip(numpy.round(augmented), 0, 255).astype(numpy.uint8)


def _literal(value) -> str:
    """A value as Python source; strings in double quotes, as keras-io writes them."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def image_data_generator_code(settings: AugmentSettings) -> str:
    """The course's call for these settings: only arguments that differ from the defaults,
    plus fill_mode whenever something can leave empty space, as the course writes it."""
    settings.validate()
    arguments = []
    if settings.rescale:
        arguments.append("rescale=1./255")
    for name in ("rotation_range", "width_shift_range", "height_shift_range", "shear_range",
                 "zoom_range"):
        if getattr(settings, name):
            arguments.append(f"{name}={getattr(settings, name)!r}")
    if settings.horizontal_flip:
        arguments.append("horizontal_flip=True")
    if _leaves_empty_space(settings):
        # The course quotes with single quotes: fill_mode='nearest'.
        arguments.append(f"fill_mode='{settings.fill_mode}'")
    # Laid out the way the course's notebook lays it out, one argument a line.
    call = "ImageDataGenerator(" + ",".join(f"\n      {argument}" for argument in arguments) + ")"
    return ("from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"
            f"train_datagen = {call}\n")


def _leaves_empty_space(settings: AugmentSettings) -> bool:
    return any((settings.rotation_range, settings.width_shift_range,
                settings.height_shift_range, settings.shear_range, settings.zoom_range))


def keras3_layers_code(settings: AugmentSettings, seed=None) -> str:
    """The same augmentation as Keras 3 layers, with exactly the arguments
    `augmentation_layers(settings, seed)` uses, ready to paste above a model."""
    lines = ["import keras", "", "data_augmentation = keras.Sequential(", "    ["]
    recipes = _layer_recipes(settings, seed)
    if not recipes:
        lines.append("        # Every setting is off, so there is nothing to augment.")
    for class_name, arguments in recipes:
        written = []
        for name, value in arguments.items():
            if class_name == "RandomFlip" and name == "mode":
                written.append(_literal(value))  # keras-io writes RandomFlip("horizontal")
            elif class_name == "RandomRotation" and name == "factor":
                # Shown as a sum so the learner sees degrees turn into a fraction of a turn.
                written.append(f"factor={settings.rotation_range!r} / 360")
            else:
                written.append(f"{name}={_literal(value)}")
        note = (f"  # sin({settings.shear_range!r} degrees)"
                if class_name == "RandomShear" else "")
        lines.append(f"        keras.layers.{class_name}({', '.join(written)}),{note}")
    lines += ["    ],", '    name="data_augmentation",', ")"]
    if settings.rescale:
        lines += ["", "# The course's rescale=1./255, after the augmentation.",
                  "rescaling = keras.layers.Rescaling(1.0 / 255)"]
    return "\n".join(lines) + "\n"


VALIDATION_NOTE = (
    "Do we augment validation data? No. Validation pictures measure how well the model does on "
    "pictures as they really come, so they are only rescaled like the training pictures. In "
    "Keras 3 this happens by itself when the augmentation layers sit inside the model: they "
    "only act during training, and evaluation and validation run them as if they were absent."
)


def validation_pipeline_code(settings: AugmentSettings = COURSE_SETTINGS,
                             dialect: str = "keras3") -> str:
    """What validation pictures get in either dialect: the same rescaling, no augmentation."""
    settings.validate()
    if dialect == "image_data_generator":
        rescale = "rescale=1./255" if settings.rescale else ""
        return ("from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"
                "# Validation pictures are rescaled like the training ones, never augmented.\n"
                f"validation_datagen = ImageDataGenerator({rescale})\n")
    if dialect == "keras3":
        layers = "keras.layers.Rescaling(1.0 / 255)" if settings.rescale else ""
        return ("import keras\n\n"
                "# Validation pictures are rescaled like the training ones, never augmented.\n"
                f'validation_preprocessing = keras.Sequential([{layers}], '
                'name="validation_preprocessing")\n')
    raise ValueError(f"There is no code dialect called {dialect!r}; choose one of "
                     f"{list(DIALECTS)}.")


def rescaling_note(settings: AugmentSettings) -> str:
    """What the with-and-without experiment does about rescaling, said against these settings:
    its model always rescales in its first layer, whatever the rescale box says."""
    if settings.rescale:
        return ("Rescaling is on in both runs: the model divides pixels by 255 in its first "
                "layer, which is what rescale=1./255 does in the code above.")
    return ("rescale=1./255 is unticked, so the code above would train on pixels from 0 to "
            "255, but both runs below still rescale in the model's first layer; tick it to "
            "make the code match what runs.")
