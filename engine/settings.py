"""The one data directory setting that every dataset and weights file lives under.

Set KERAS_CLASSROOM_DATA_DIR to choose it (an offline classroom points it at a folder that
`python -m engine.downloads` filled beforehand); the default is ~/.keras-classroom.
"""

import os
import pathlib

DATA_DIR_VARIABLE = "KERAS_CLASSROOM_DATA_DIR"
DEFAULT_DATA_DIR = pathlib.Path.home() / ".keras-classroom"


def data_dir() -> pathlib.Path:
    """The folder that holds datasets/, models/ and the training cache; read on every call
    so a test (or a teacher) can point it elsewhere without restarting Python."""
    configured = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    return pathlib.Path(configured).expanduser() if configured else DEFAULT_DATA_DIR
