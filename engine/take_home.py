"""What a learner takes home from a lesson that trains: the model as a .keras file that takes
its inputs as they come (pictures of 0..255), the history as CSV, and a Python script that
trains the same model again, with the same settings, on the same data.

The script is put together from the very functions the page shows (`inspect.getsource` of
the course's builders in engine/recipes.py), the course's own data loading, the learner's
settings written as literals and the course's `model.fit(...)` and `model.save(...)`. It needs
TensorFlow only, never this repository. engine/take_home_scripts.py writes one per lesson.
"""

import dataclasses
import json
import pathlib
import tempfile
import textwrap
from typing import Callable, Optional

import keras
import numpy

from engine import keras_lock
from engine import source_code


@dataclasses.dataclass(frozen=True)
class Preparation:
    """How a model's training inputs were made from pictures of 0..255: x * scale + offset,
    which a Rescaling layer in front of the model does for whoever uses it afterwards."""

    scale: float
    offset: float
    sentence: str  # for the learner, beside the download: what the model does itself
    source: str  # the same as the arguments of model_for_raw_pictures, in a script

    def note(self) -> str:
        """What the downloaded model does with its inputs, for the caption and the script."""
        return f"The model {self.sentence}: give it pictures as they come, 0..255."


DIVIDE_BY_255 = Preparation(1 / 255, 0.0, "divides the pixels by 255 itself, in its first "
                            "layer (Rescaling)", "scale=1 / 255")
# What keras.applications' InceptionV3 and MobileNet preprocess_input do: x / 127.5 - 1.
MINUS_ONE_TO_ONE = Preparation(1 / 127.5, -1.0, "scales the pixels to -1..1 itself, as the "
                               "network's preprocess_input does, in its first layer "
                               "(Rescaling)", "scale=1 / 127.5, offset=-1.0")


def model_for_raw_pictures(model, scale, offset=0.0):
    """The trained `model` with a Rescaling layer in front: it takes pictures as they come,
    pixel values 0..255, and prepares them itself (x * scale + offset), so whoever loads the
    file cannot forget the preparation its training pictures had. The weights are the
    model's own, shared; it is compiled with the same loss and a fresh optimizer of the same
    settings (its state starts afresh), ready to train on."""
    pictures = keras.Input(shape=model.input_shape[1:], name="pictures_0_to_255")
    prepared = keras.layers.Rescaling(scale, offset, name="input_preparation")(pictures)
    model_to_keep = keras.Model(pictures, model(prepared), name=f"{model.name}_for_pictures")
    model_to_keep.compile(
        optimizer=type(model.optimizer).from_config(model.optimizer.get_config()),
        loss=model.loss, metrics=["accuracy"])
    # Built now, so the file holds the optimizer Keras builds again on loading (no warning).
    model_to_keep.optimizer.build(model_to_keep.trainable_variables)
    return model_to_keep


def model_file_bytes(model: keras.Model, preparation: Optional[Preparation] = None) -> bytes:
    """The model as a .keras file (Keras' zip of config and weights), with `preparation` put
    in front as a Rescaling layer when given. Safe to call from a download's own thread:
    layers are made under engine.keras_lock."""
    with keras_lock.building():
        if preparation is not None:
            model = model_for_raw_pictures(model, preparation.scale, preparation.offset)
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / "model.keras"
            model.save(path)
            return path.read_bytes()


@dataclasses.dataclass
class TakeHome:
    """The three files of a lesson's run, by their download names. `model` is the trained
    Keras model as the page holds it; `preparation` (or None) is put in front of it when its
    file is made, and said beside the button."""

    file_stem: str  # e.g. "fashion_mnist": fashion_mnist.keras, _history.csv, .py
    model: keras.Model
    preparation: Optional[Preparation]
    history: dict  # metric -> one number per epoch
    script: str
    inputs: str = ""  # what the model takes, when it has no preparation to say so
    history_file: str = ""  # when the history's file keeps an older name
    history_label: str = "history (.csv)"
    model_label: str = "model (.keras)"
    quick_try: str = "--epochs 1"  # the script's arguments for a quick try

    @property
    def note(self) -> str:
        """One sentence for beside the buttons: what the model file expects as input."""
        return self.preparation.note() if self.preparation is not None else self.inputs

    @property
    def model_file(self) -> str:
        return f"{self.file_stem}.keras"

    @property
    def history_file_name(self) -> str:
        return self.history_file or f"{self.file_stem}_history.csv"

    @property
    def script_file(self) -> str:
        return f"{self.file_stem}.py"

    def model_bytes(self) -> bytes:
        return model_file_bytes(self.model, self.preparation)


# Putting a script together ------------------------------------------------------------------


def literal(value) -> str:
    """A setting as Python source that reads back as the same value: numbers, None, strings
    (in double quotes, as keras-io writes them), lists and tuples of them. NumPy numbers
    become Python's, whose source needs no numpy (numpy 2 writes np.float64(-1.0))."""
    if isinstance(value, str):
        # A JSON string is a Python string, escapes included.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(literal(item) for item in value) + (",)" if len(value) == 1
                                                                   else ")")
    return repr(value.item() if isinstance(value, numpy.generic) else value)


def comment(text: str) -> list:
    """A comment for a script, as lines of at most 90 characters."""
    return textwrap.wrap(text, 88, initial_indent="# ", subsequent_indent="# ")


def constants(settings: dict, comments: dict = None) -> str:
    """NAME = value lines, one per setting, each with its comment when `comments` has one."""
    comments = comments or {}
    return "\n".join(f"{name} = {literal(value)}"
                     + (f"  # {comments[name]}" if name in comments else "")
                     for name, value in settings.items())


def sources(*functions: Callable) -> str:
    """The functions' (or classes') own source, as the page shows it, for the script."""
    return "\n\n".join(textwrap.dedent(source_code.source_of(function)).rstrip() + "\n"
                       for function in functions)


def script(title: str, usage: str, imports: str, settings: str, functions: str,
           arguments: str, body: str) -> str:
    """A whole script: its docstring (title and how to run it), imports, the learner's
    settings, the course's functions, command-line arguments that default to the settings,
    then the body that loads the data, trains and saves."""
    parts = [f'"""{title}\n\n{usage.rstrip()}\n"""', imports.rstrip(),
             "# Your settings in the classroom.\n" + settings.rstrip(),
             functions.rstrip(),
             "parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
             + arguments.rstrip() + "\narguments = parser.parse_args()",
             body.rstrip()]
    return "\n\n\n".join(parts) + "\n"
