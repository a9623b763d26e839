"""Pages never call Keras directly, and the engine never draws a widget nor reaches back into
the page side.

Reads every Python file's syntax tree, so the rule holds without anyone remembering it: the
imports (plain, `from`, relative, and `importlib.import_module` / `__import__` with a module
name written out), a Keras or Streamlit module taken from another module (`from
engine.recipes import keras`), and, in page code, calls of Keras' model methods on any object
(`model.count_params()`): a page asks the engine for such numbers instead.
"""

import ast
import pathlib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
KERAS_SIDE = {"keras", "tensorflow", "tf_keras"}
WIDGET_SIDE = {"streamlit"}
PAGE_PACKAGES = {"ui", "lessons"}
# Keras' Model and Layer methods a page must not call (it asks the engine instead).
KERAS_METHODS = {"count_params", "fit", "predict", "predict_on_batch", "evaluate", "compile",
                 "summary", "get_weights", "set_weights", "get_layer", "save_weights",
                 "load_weights", "train_on_batch", "test_on_batch", "get_config"}


def reached_modules(tree: ast.AST) -> set:
    """Top-level names of every module the code imports or takes a module from; "." for a
    relative import (the project writes none, so a relative one is always reported)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add(".")
            elif node.module:
                names.add(node.module.split(".")[0])
            # `from engine.recipes import keras`: the module itself, whatever it came through
            names.update(alias.name for alias in node.names)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id == "__import__"))):
            names.add(node.args[0].value.split(".")[0])
    return names


def imported_top_level_names(path: pathlib.Path) -> set:
    """reached_modules of a file (tests/test_no_pickle.py reads imports with it too)."""
    return reached_modules(ast.parse(path.read_text(), filename=str(path)))


def keras_method_calls(tree: ast.AST) -> list:
    """`x.fit(...)`, `model.count_params()` and the like: calls of KERAS_METHODS."""
    return sorted({node.func.attr for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and node.func.attr in KERAS_METHODS})


def page_side_problems(source: str) -> list:
    tree = ast.parse(source)
    reached = reached_modules(tree)
    return ([f"reaches {sorted(reached & (KERAS_SIDE | {'.'}))}"] if reached & (KERAS_SIDE | {"."})
            else []) + [f"calls .{name}()" for name in keras_method_calls(tree)]


def engine_problems(source: str) -> list:
    reached = reached_modules(ast.parse(source)) & (WIDGET_SIDE | PAGE_PACKAGES | {"."})
    return [f"reaches {sorted(reached)}"] if reached else []


def python_files(*folders):
    return sorted(path for folder in folders for path in (REPOSITORY / folder).rglob("*.py"))


PAGE_SIDE_FILES = python_files("lessons", "ui") + [REPOSITORY / "streamlit_app.py"]
ENGINE_FILES = python_files("engine")


def test_there_are_files_to_check():
    assert len(PAGE_SIDE_FILES) >= 3 and len(ENGINE_FILES) >= 3


@pytest.mark.parametrize("path", PAGE_SIDE_FILES, ids=lambda path: path.name)
def test_page_side_makes_no_keras_calls(path):
    assert not page_side_problems(path.read_text()), path


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda path: path.name)
def test_engine_draws_no_widgets_and_reaches_no_page(path):
    assert not engine_problems(path.read_text()), path


@pytest.mark.parametrize("source", [
    "import keras",
    "import tensorflow as tf",
    "from keras import layers",
    "from engine.recipes import keras",
    "from . import recipes",
    "import importlib\nimportlib.import_module('keras.layers')",
    "__import__('tensorflow')",
    "def f(model):\n    return model.count_params()",
    "def f(network, x):\n    return network.predict(x)",
])
def test_the_checker_sees_every_way_a_page_reaches_keras(source):
    assert page_side_problems(source), source


@pytest.mark.parametrize("source", [
    "import streamlit",
    "from streamlit import session_state",
    "from ui import tables",
    "import lessons.augmentation",
    "import importlib\nimportlib.import_module('streamlit')",
])
def test_the_checker_sees_every_way_the_engine_reaches_the_page_side(source):
    assert engine_problems(source), source


def test_the_checker_lets_pages_use_the_engine():
    assert not page_side_problems("from engine import training\nimport streamlit as st\n"
                                  "training.fit_and_evaluate\nst.write(point.output_shape)")


def test_lessons_are_not_in_a_folder_named_pages():
    """Streamlit runs a `pages/` folder next to the entry file the legacy way on the first
    script run of every server, before st.navigation takes over: a learner who opens a
    shared lesson link first sees a false "Page not found" dialog. Streamlit's advice is
    to give the folder another name when st.navigation owns routing."""
    assert not (REPOSITORY / "pages").exists()
    assert (REPOSITORY / "lessons").is_dir()
