"""No pickle anywhere, and Keras loads models only in its safe mode: a file a learner uploads,
or that someone else put in a shared data directory, must never run code of its own when the
server reads it. Reads every Python file of the repository, this one excepted.

(Dask's runner pickles the jobs it sends to its workers: our own settings, between our own
processes, never a file from outside. That happens inside the distributed package.)
"""

import ast
import pathlib
import re

import pytest

from tests.test_layering import imported_top_level_names

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
# Modules that turn bytes into Python objects, code included.
UNPICKLERS = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve",
              "marshal", "jsonpickle"}
UNSAFE_TEXT = re.compile(r"allow_pickle\s*=\s*True|safe_mode\s*=\s*False|"
                         r"enable_unsafe_deserialization|torch\.load|pandas\.read_pickle|"
                         r"\bread_pickle\(")
CHECKED_FILES = sorted(path for path in REPOSITORY.rglob("*.py")
                       if path != pathlib.Path(__file__).resolve()
                       and not any(part.startswith(".") for part in
                                   path.relative_to(REPOSITORY).parts))


def load_model_calls_without_safe_mode(source: str) -> list:
    """Line numbers of `load_model(...)` calls that do not say safe_mode=True."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        if name != "load_model":
            continue
        safe = [keyword for keyword in node.keywords if keyword.arg == "safe_mode"
                and isinstance(keyword.value, ast.Constant) and keyword.value.value is True]
        if not safe:
            lines.append(node.lineno)
    return lines


def test_there_are_files_to_check():
    names = {path.relative_to(REPOSITORY).as_posix() for path in CHECKED_FILES}
    assert {"engine/run_cache.py", "engine/transfer.py", "streamlit_app.py"} <= names


@pytest.mark.parametrize("path", CHECKED_FILES,
                         ids=lambda path: path.relative_to(REPOSITORY).as_posix())
def test_no_pickle_and_safe_mode_only(path):
    source = path.read_text()
    assert not imported_top_level_names(path) & UNPICKLERS, f"{path} imports an unpickler"
    assert not UNSAFE_TEXT.search(source), UNSAFE_TEXT.search(source).group(0)
    assert not load_model_calls_without_safe_mode(source), (
        f"{path}: load_model without safe_mode=True on lines "
        f"{load_model_calls_without_safe_mode(source)}")


def test_the_checks_catch_what_they_look_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nfrom joblib import load\n")
    assert imported_top_level_names(bad) & UNPICKLERS == {"pickle", "joblib"}
    assert UNSAFE_TEXT.search("numpy.load(path, allow_pickle=True)")
    assert UNSAFE_TEXT.search("keras.saving.load_model(path, safe_mode=False)")
    assert UNSAFE_TEXT.search("keras.config.enable_unsafe_deserialization()")
    assert load_model_calls_without_safe_mode(
        "keras.saving.load_model(a)\nload_model(b, safe_mode=True)\n") == [1]
