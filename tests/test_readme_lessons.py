"""The README's lesson table leads a newcomer to every file of a lesson (issue 14): each
module a lesson's page imports from engine/ or ui/, and each module its own page-side helpers
import, is named in the lesson's row or in the paragraphs below the table that list what every
lesson (or every lesson that reads files) uses; and every file the table names exists, so a
rename cannot leave the table pointing at nothing."""

import ast
import pathlib
import re

import pytest

from ui.lesson_list import LESSONS

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
README = (REPOSITORY / "README.md").read_text()
SECTION = README[README.index("## Lessons"):README.index("\n## ", README.index("## Lessons") + 1)]
EVERY_LESSON = SECTION[SECTION.index("Every lesson also uses:"):].split("\n\n")[0]
READING_FILES = SECTION[SECTION.index("Lessons that read files also use:"):].split("\n\n")[0]
SHARED = EVERY_LESSON + READING_FILES


def row(number: int) -> str:
    found = re.search(rf"^\| {number} \|.*$", SECTION, re.M)
    assert found, f"no row for lesson {number} in the README's lesson table"
    return found.group(0)


def imported_project_modules(page: pathlib.Path) -> set:
    """engine/X.py and ui/X.py for every `from engine import X` / `from ui import X`."""
    modules = set()
    for node in ast.walk(ast.parse(page.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module in ("engine", "ui"):
            modules.update(f"{node.module}/{alias.name}.py" for alias in node.names)
    return modules


@pytest.mark.parametrize("number, lesson", list(enumerate(LESSONS, 1)),
                         ids=[lesson.url_path for lesson in LESSONS])
def test_the_row_names_every_module_the_page_imports(number, lesson):
    lesson_row = row(number)
    assert f"`{lesson.file}`" in lesson_row
    assert f"`{lesson.url_path}.toml`" in lesson_row
    assert (REPOSITORY / "lessons" / "questions" / f"{lesson.url_path}.toml").is_file()
    modules = imported_project_modules(REPOSITORY / lesson.file)
    assert modules, lesson.file  # the parser found the page's imports
    # One level down: what the lesson's own helpers (named in its row, not shared) import.
    for helper in [module for module in modules if module.startswith("ui/")
                   and f"`{module}`" in lesson_row and f"`{module}`" not in SHARED]:
        modules = modules | imported_project_modules(REPOSITORY / helper)
    unnamed = sorted(module for module in modules
                     if f"`{module}`" not in lesson_row and f"`{module}`" not in SHARED)
    assert not unnamed, f"lesson {number}'s page or its helpers import {unnamed}, not named " \
                        "in the README"


def test_every_file_the_table_names_exists():
    named = re.findall(r"`((?:lessons|ui|engine)/[\w/]+\.py)`", SECTION)
    assert len(named) > 40
    missing = sorted({path for path in named if not (REPOSITORY / path).is_file()})
    assert not missing, f"the README's lesson table names files that do not exist: {missing}"
