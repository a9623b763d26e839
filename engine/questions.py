"""The "Check your understanding" questions: read from each lesson's question file, checked,
and asked about the learner's own run.

The questions are data, not page code: lessons/questions/<lesson url path>.toml, one file per
lesson, which a teacher can read and adapt (its header says how). Three kinds of question:

- fixed: a question and its choices, exactly one marked `correct = true`, each with an
  explanation;
- about the run: the same, with `needs = [...]` facts of the run on the page (names from
  engine/run_facts.py) whose values the texts show, e.g. "{prediction_for_10:.2f}";
- computed: `computed = "<kind>"` (engine/question_kinds.py), whose choices and right answer
  come from the run; the file gives the texts of each role.

    questions = load_lesson("fashion-mnist")           # raises QuestionFileError
    asked = ask(questions[0], {"history": run.history})  # Asked, or NotAsked with a reason
"""

import csv
import dataclasses
import io
import pathlib
import random
import string

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from engine import question_kinds

QUESTIONS_FOLDER = pathlib.Path(__file__).resolve().parents[1] / "lessons" / "questions"
FEWEST, MOST = 3, 5  # questions per lesson
QUESTION_KEYS = {"id", "question", "needs", "without_run", "choices", "computed", "options",
                 "roles"}
CHOICE_KEYS = {"answer", "correct", "explanation"}
ROLE_KEYS = {"answer", "explanation"}
DEFAULT_WITHOUT_RUN = "This question is about your own run: it appears once you have one above."


class QuestionFileError(ValueError):
    """A lesson's question file cannot be read or breaks a rule; the message names the file,
    the question and the rule, in one sentence a teacher can act on."""


@dataclasses.dataclass(frozen=True)
class Question:
    """One question as its file gives it. `choices` holds (answer, correct, explanation)
    for a fixed question; `computed`, `options` and `roles` (role -> (answer, explanation))
    for a computed one."""

    id: str
    text: str
    needs: tuple = ()
    without_run: str = DEFAULT_WITHOUT_RUN
    choices: tuple = ()
    computed: str = ""
    options: tuple = ()  # (name, value) pairs, hashable
    roles: tuple = ()  # (role, answer, explanation) triples

    def needed_facts(self) -> tuple:
        kind = question_kinds.KINDS.get(self.computed)
        return tuple(self.needs) + (kind.facts if kind else ())


@dataclasses.dataclass(frozen=True)
class AskedChoice:
    answer: str
    explanation: str
    correct: bool


@dataclasses.dataclass(frozen=True)
class Asked:
    """A question as the learner sees it, its texts filled in with their run's values."""

    id: str
    text: str
    choices: tuple  # of AskedChoice, exactly one correct

    @property
    def right_answer(self) -> str:
        return next(choice.answer for choice in self.choices if choice.correct)


@dataclasses.dataclass(frozen=True)
class NotAsked:
    """A question this page cannot ask now (no run, or a run that cannot answer it)."""

    id: str
    reason: str


def question_file(url_path: str) -> pathlib.Path:
    return QUESTIONS_FOLDER / f"{url_path}.toml"


def load_lesson(url_path: str) -> list:
    """The questions of the lesson whose page lives at /<url_path>, in file order, checked.

    Raises QuestionFileError when the file is missing, is not valid TOML, or breaks a rule:
    3 to 5 questions with distinct ids, each with a question text; a fixed one with two or
    more choices, exactly one correct, every one with an answer and an explanation; a
    computed one of a known kind with a text for each of its roles; every {placeholder} a
    value the question has."""
    path = question_file(url_path)
    name = f"lessons/questions/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionFileError(f"There is no question file {name}: add one with 3 to 5 "
                                "questions.") from None
    except tomllib.TOMLDecodeError as problem:
        raise QuestionFileError(f"The question file {name} is not valid TOML ({problem}): "
                                "fix that line and reload the page.") from None
    entries = data.get("questions", [])
    if not FEWEST <= len(entries) <= MOST:
        raise QuestionFileError(f"{name} has {len(entries)} questions; a lesson has "
                                f"{FEWEST} to {MOST}.")
    questions = [parse_question(entry, f"{name}, question {number}")
                 for number, entry in enumerate(entries, 1)]
    ids = [question.id for question in questions]
    repeated = sorted({identity for identity in ids if ids.count(identity) > 1})
    if repeated:
        raise QuestionFileError(f"{name} uses the id {repeated[0]!r} twice; answers are kept "
                                "by id, so each question needs its own.")
    return questions


def parse_question(entry: dict, where: str) -> Question:
    unknown = set(entry) - QUESTION_KEYS
    if unknown:
        raise QuestionFileError(f"{where} has an unknown key {sorted(unknown)[0]!r}; the keys "
                                f"are {', '.join(sorted(QUESTION_KEYS))}.")
    for key in ("id", "question"):
        if not str(entry.get(key, "")).strip():
            raise QuestionFileError(f"{where} has no {key}.")
    where = f"{where} ({entry['id']!r})"
    needs = tuple(entry.get("needs", ()))
    question = Question(entry["id"], entry["question"], needs,
                        entry.get("without_run", DEFAULT_WITHOUT_RUN))
    if "computed" in entry:
        question = parse_computed(entry, question, where)
    else:
        question = dataclasses.replace(question, choices=parse_choices(entry, where))
    check_placeholders(question, where)
    return question


def parse_choices(entry: dict, where: str) -> tuple:
    choices = entry.get("choices", [])
    if len(choices) < 2:
        raise QuestionFileError(f"{where} has {len(choices)} choices; it needs two or more.")
    parsed = []
    for number, choice in enumerate(choices, 1):
        unknown = set(choice) - CHOICE_KEYS
        if unknown:
            raise QuestionFileError(f"{where}, choice {number} has an unknown key "
                                    f"{sorted(unknown)[0]!r}; the keys are answer, correct "
                                    "and explanation.")
        if not str(choice.get("answer", "")).strip() or \
                not str(choice.get("explanation", "")).strip():
            raise QuestionFileError(f"{where}, choice {number} needs both an answer and an "
                                    "explanation.")
        if not isinstance(choice.get("correct", False), bool):
            raise QuestionFileError(f"{where}, choice {number}: correct must be true or false.")
        parsed.append((choice["answer"], choice.get("correct", False), choice["explanation"]))
    right = sum(correct for _, correct, _ in parsed)
    if right != 1:
        raise QuestionFileError(f"{where} has {right} choices marked correct = true; exactly "
                                "one must be.")
    return tuple(parsed)


def parse_computed(entry: dict, question: Question, where: str) -> Question:
    kind = question_kinds.KINDS.get(entry["computed"])
    if kind is None:
        raise QuestionFileError(f"{where} asks for computed = {entry['computed']!r}, which is "
                                f"not a kind; the kinds are {', '.join(question_kinds.KINDS)}.")
    if "choices" in entry:
        raise QuestionFileError(f"{where} is computed, so its choices come from the run: give "
                                "texts under roles, not choices.")
    options = entry.get("options", {})
    if set(options) != set(kind.options):
        raise QuestionFileError(f"{where} needs the options {sorted(kind.options) or 'none'}, "
                                f"not {sorted(options) or 'none'}.")
    for option, value in options.items():
        if value not in kind.options[option]:
            raise QuestionFileError(f"{where}: option {option} = {value!r} is not one of "
                                    f"{', '.join(map(repr, kind.options[option]))}.")
    roles = entry.get("roles", {})
    for role in kind.roles:
        texts = roles.get(role, {})
        if set(texts) - ROLE_KEYS or not all(str(texts.get(key, "")).strip()
                                             for key in ROLE_KEYS):
            raise QuestionFileError(f"{where} needs, for the role {role!r}, an answer and an "
                                    "explanation (and nothing else).")
    extra = set(roles) - set(kind.roles)
    if extra:
        raise QuestionFileError(f"{where} gives a text for the role {sorted(extra)[0]!r}, "
                                f"which {entry['computed']} never uses.")
    return dataclasses.replace(
        question, computed=entry["computed"], options=tuple(sorted(options.items())),
        roles=tuple((role, roles[role]["answer"], roles[role]["explanation"])
                    for role in kind.roles))


def placeholders(text: str) -> set:
    """The value names a text uses: "epoch {epoch} ({value:.3f})" -> {"epoch", "value"}."""
    return {field.split(".")[0].split("[")[0]
            for _, field, _, _ in string.Formatter().parse(text) if field}


def check_placeholders(question: Question, where: str) -> None:
    kind = question_kinds.KINDS.get(question.computed)
    for_question = set(question.needs) | (set(kind.shared) if kind else set())
    for_choices = set(question.needs) | (set(kind.values) if kind else set())
    texts = [(question.text, for_question),
             *((text, for_choices) for choice in question.choices for text in choice[::2]),
             *((text, for_choices) for _, answer, explanation in question.roles
               for text in (answer, explanation))]
    for text, allowed in texts:
        unknown = placeholders(text) - allowed
        if unknown:
            raise QuestionFileError(f"{where} uses {{{sorted(unknown)[0]}}}, which is not a "
                                    f"value it has; it has {', '.join(sorted(allowed)) or 'none'}"
                                    " (add a fact to needs, or write the braces as {{ }}).")


def ask(question: Question, facts: dict):
    """The question filled in with the facts of the run on the page (engine/run_facts.py):
    an Asked, or a NotAsked saying why not (facts missing, or a run that cannot answer).
    A fixed question's choices come in an order of its own, not the file's; a computed
    question's in the kind's order (epochs and sizes in order)."""
    missing = [name for name in question.needed_facts() if facts.get(name) is None]
    if missing:
        return NotAsked(question.id, question.without_run)
    values = {name: facts[name] for name in question.needs}
    if not question.computed:
        choices = [AskedChoice(answer.format(**values), explanation.format(**values), correct)
                   for answer, correct, explanation in question.choices]
        # Files tend to list the right answer first; the learner sees a fixed order of the
        # question's own (the same on every visit), so position gives nothing away.
        random.Random(question.id).shuffle(choices)
        return Asked(question.id, question.text.format(**values), tuple(choices))
    kind = question_kinds.KINDS[question.computed]
    picked = kind.choose(facts, dict(question.options))
    if not picked:
        return NotAsked(question.id, question.without_run)
    texts = {role: (answer, explanation) for role, answer, explanation in question.roles}
    choices = tuple(AskedChoice(texts[choice.role][0].format(**values, **choice.values),
                                texts[choice.role][1].format(**values, **choice.values),
                                choice.correct) for choice in picked)
    shared = {name: picked[0].values[name] for name in kind.shared}
    return Asked(question.id, question.text.format(**values, **shared), choices)


ANSWER_COLUMNS = ("lesson", "question", "your answer", "right answer", "correct")


def answers_csv(rows: list) -> str:
    """The learner's answers as CSV text: one row per answered question, each row a dict
    with the keys of ANSWER_COLUMNS ("correct" True or False, written yes or no)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ANSWER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "correct": "yes" if row["correct"] else "no"})
    return buffer.getvalue()
