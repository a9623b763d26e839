"""The lesson list in course order: the navigation and the tests both read it from here."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Lesson:
    file: str  # path of the page, relative to the repository root
    title: str
    icon: str
    url_path: str
    summary: str


LESSONS = [
    Lesson(
        "pages/rules_vs_data.py",
        "1. Rules vs data",
        ":material/rule:",
        "rules-vs-data",
        "Write a rule yourself, then let a model find it from examples.",
    ),
    Lesson(
        "pages/hello_neuron.py",
        "2. Hello, neuron",
        ":material/neurology:",
        "hello-neuron",
        "Train one Dense unit on six numbers and predict x = 10.",
    ),
]
