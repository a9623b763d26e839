"""How the classroom is hosted: the data directory every dataset, weights file and run lives
under, and whether strangers share the server (shared_server). Two environment variables;
a lesson's own choices are its settings object, never this module.

Set KERAS_CLASSROOM_DATA_DIR to choose it (an offline classroom points it at a folder that
`python -m engine.downloads` filled beforehand); the default is ~/.keras-classroom.
"""

import os
import pathlib

DATA_DIR_VARIABLE = "KERAS_CLASSROOM_DATA_DIR"
DEFAULT_DATA_DIR = pathlib.Path.home() / ".keras-classroom"


def data_dir() -> pathlib.Path:
    """The folder that holds datasets/, models/, uploads/ and the training cache; read on every
    call so a test (or a teacher) can point it elsewhere without restarting Python."""
    configured = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    return pathlib.Path(configured).expanduser() if configured else DEFAULT_DATA_DIR


# What learners upload is kept in the data directory too, each kind in a folder named for it.
def picture_uploads_folder() -> pathlib.Path:
    """Where learners' zips of class folders are unpacked, one folder per upload
    (engine/uploads.py): <data dir>/uploads/pictures/."""
    return data_dir() / "uploads" / "pictures"


def weights_uploads_folder() -> pathlib.Path:
    """Where uploaded weights files are kept, named after their contents (engine/weights_files.py):
    <data dir>/uploads/weights/."""
    return data_dir() / "uploads" / "weights"


SHARED_SERVER_VARIABLE = "KERAS_CLASSROOM_SHARED_SERVER"


def shared_server() -> bool:
    """True when KERAS_CLASSROOM_SHARED_SERVER is set to 1 (or true, yes, on): the classroom is
    hosted for learners who must not reach the server's disk, so no input reads or writes a
    server path (a folder on this computer, a weights file's path) and no message names one.
    Read on every call, like data_dir()."""
    return os.environ.get(SHARED_SERVER_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")
