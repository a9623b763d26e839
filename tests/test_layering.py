"""Pages never call Keras directly, and the engine never draws a widget.

Reads the imports of every Python file, so the rule holds without anyone remembering it.
"""

import ast
import pathlib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
KERAS_SIDE = {"keras", "tensorflow", "tf_keras"}
WIDGET_SIDE = {"streamlit"}


def imported_top_level_names(path: pathlib.Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(*folders):
    return sorted(path for folder in folders for path in (REPOSITORY / folder).rglob("*.py"))


PAGE_SIDE_FILES = python_files("lessons", "ui") + [REPOSITORY / "streamlit_app.py"]
ENGINE_FILES = python_files("engine")


def test_there_are_files_to_check():
    assert len(PAGE_SIDE_FILES) >= 3 and len(ENGINE_FILES) >= 3


@pytest.mark.parametrize("path", PAGE_SIDE_FILES, ids=lambda path: path.name)
def test_page_side_makes_no_keras_calls(path):
    assert not imported_top_level_names(path) & KERAS_SIDE, f"{path} imports Keras"


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda path: path.name)
def test_engine_draws_no_widgets(path):
    assert not imported_top_level_names(path) & WIDGET_SIDE, f"{path} imports Streamlit"


def test_the_checker_sees_both_kinds_of_import():
    sample = REPOSITORY / "tests" / "test_layering.py"
    assert "pytest" in imported_top_level_names(sample)
    assert "ast" in imported_top_level_names(sample)


def test_lessons_are_not_in_a_folder_named_pages():
    """Streamlit runs a `pages/` folder next to the entry file the legacy way on the first
    script run of every server, before st.navigation takes over: a learner who opens a
    shared lesson link first sees a false "Page not found" dialog. Streamlit's advice is
    to give the folder another name when st.navigation owns routing."""
    assert not (REPOSITORY / "pages").exists()
    assert (REPOSITORY / "lessons").is_dir()
