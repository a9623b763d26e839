"""The "Check your understanding" questions: every lesson's file keeps the rules, and the
questions computed from a run give the right answer for a known history."""

import csv
import io
import string
import types

import pytest

from engine import hello_neuron
from engine import question_kinds
from engine import questions
from engine import run_facts
from ui import lesson_list

try:
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

LESSON_PATHS = [lesson.url_path for lesson in lesson_list.LESSONS]
# A fashion-MNIST-like history: validation accuracy peaks at epoch 3 (equalled, not beaten,
# at epoch 5), validation loss is lowest at epoch 4.
HISTORY = {"accuracy": [0.78, 0.85, 0.88, 0.90, 0.91, 0.93],
           "val_accuracy": [0.80, 0.84, 0.86, 0.85, 0.86, 0.83],
           "loss": [0.60, 0.42, 0.35, 0.30, 0.26, 0.22],
           "val_loss": [0.55, 0.45, 0.40, 0.38, 0.41, 0.47]}
WIDE_GAP = {"accuracy": [0.80, 0.99], "val_accuracy": [0.70, 0.74]}  # gap 0.25
NARROW_GAP = {"accuracy": [0.70, 0.85], "val_accuracy": [0.68, 0.80]}  # gap 0.05
# Facts a run of each lesson could give, for asking every question of every file.
SAMPLE_FACTS = {
    "rules-vs-data": {"weight": 2.9987, "bias": 1.0021, "epochs_done": 1000,
                      "example_count": 6},
    "hello-neuron": {"weight": 1.9971, "bias": -0.9911, "epochs_done": 500,
                     "example_count": 6, "prediction_for_10": 18.98,
                     "course_prediction_for_10": 18.98},
    "fashion-mnist": {"history": HISTORY},
    "convolutions": {"history": HISTORY, "conv_blocks": 2},
    "real-world-images": {"history": HISTORY, "class_names": ["horses", "humans"]},
    "augmentation": {"histories": {"without": WIDE_GAP, "with augmentation": NARROW_GAP}},
    "transfer-learning": {"histories": {"without dropout": WIDE_GAP,
                                        "with dropout": NARROW_GAP}},
}


def asked(url_path: str, question_id: str, facts: dict):
    question = next(question for question in questions.load_lesson(url_path)
                    if question.id == question_id)
    return questions.ask(question, facts)


def right_choice(question: questions.Asked) -> questions.AskedChoice:
    (right,) = [choice for choice in question.choices if choice.correct]
    return right


# --- every lesson's file ------------------------------------------------------------------

@pytest.mark.parametrize("url_path", LESSON_PATHS)
def test_every_lesson_has_three_to_five_questions_each_with_one_correct_answer(url_path):
    """Read straight from the TOML, not through the checker, so the checker cannot hide a
    broken file: every fixed question has exactly one correct choice and an explanation for
    every choice; every computed one a text for each role of its kind."""
    data = tomllib.loads(questions.question_file(url_path).read_text(encoding="utf-8"))
    entries = data["questions"]
    assert 3 <= len(entries) <= 5
    for entry in entries:
        if "computed" in entry:
            roles = entry["roles"]
            for role in question_kinds.KINDS[entry["computed"]].roles:
                assert roles[role]["answer"].strip() and roles[role]["explanation"].strip()
        else:
            assert len(entry["choices"]) >= 2
            assert [choice.get("correct", False) for choice in entry["choices"]].count(True) == 1
            assert all(choice["explanation"].strip() for choice in entry["choices"])
    assert len(questions.load_lesson(url_path)) == len(entries)


@pytest.mark.parametrize("url_path", LESSON_PATHS)
def test_every_question_asked_about_a_run_has_one_right_answer_and_explained_choices(url_path):
    for question in questions.load_lesson(url_path):
        shown = questions.ask(question, SAMPLE_FACTS[url_path])
        assert isinstance(shown, questions.Asked), (question.id, shown)
        assert [choice.correct for choice in shown.choices].count(True) == 1, question.id
        answers = [choice.answer for choice in shown.choices]
        assert len(set(answers)) == len(answers) >= 2, (question.id, answers)
        for text in [shown.text, *answers, *(choice.explanation for choice in shown.choices)]:
            assert text.strip() and "{" not in text and "}" not in text, (question.id, text)


@pytest.mark.parametrize("url_path", LESSON_PATHS)
def test_without_a_run_the_run_questions_say_so_and_the_others_are_asked(url_path):
    shown = [questions.ask(question, {}) for question in questions.load_lesson(url_path)]
    waiting = [item for item in shown if isinstance(item, questions.NotAsked)]
    assert all(item.reason.strip() for item in waiting)
    assert len(shown) - len(waiting) >= 2  # the course's ideas are asked whatever the run


def test_every_lesson_has_a_way_to_read_its_runs_facts():
    assert set(run_facts.FACTS) == set(LESSON_PATHS)
    named = {name for path in LESSON_PATHS for question in questions.load_lesson(path)
             for name in question.needed_facts()}
    assert named <= {name for facts in SAMPLE_FACTS.values() for name in facts}


def test_a_fixed_question_shows_its_choices_in_an_order_of_its_own_every_time():
    question = questions.load_lesson("fashion-mnist")[0]
    orders = {tuple(choice.answer for choice in questions.ask(question, {}).choices)
              for _ in range(3)}
    assert len(orders) == 1
    first_correct = [questions.ask(question, SAMPLE_FACTS[path]).choices[0].correct
                     for path in LESSON_PATHS for question in questions.load_lesson(path)
                     if not question.computed]
    assert not all(first_correct)  # the files list the right answer first; the page does not


# --- questions computed from a known history ----------------------------------------------

def test_validation_accuracy_stopped_rising_at_its_first_highest_epoch():
    shown = asked("fashion-mnist", "validation-stopped-rising", {"history": HISTORY})
    assert [choice.answer for choice in shown.choices] == ["epoch 1", "epoch 2", "epoch 3",
                                                           "epoch 6"]
    right = right_choice(shown)
    assert right.answer == "epoch 3"
    assert "0.8600" in right.explanation
    wrong = next(choice for choice in shown.choices if choice.answer == "epoch 6")
    assert "0.8300" in wrong.explanation and "epoch 3 with 0.8600" in wrong.explanation


def test_validation_loss_lowest_epoch():
    shown = asked("convolutions", "validation-loss-lowest", {"history": HISTORY})
    assert right_choice(shown).answer == "epoch 4"
    assert "epoch 4" in [choice.answer for choice in shown.choices]


def test_a_run_still_improving_at_its_last_epoch_has_the_last_epoch_as_answer():
    history = {"val_accuracy": [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]}
    choices = question_kinds.best_epoch({"history": history},
                                        {"metric": "val_accuracy", "mode": "highest"})
    assert [choice.values["epoch"] for choice in choices] == [1, 4, 6, 7]
    assert [choice.values["epoch"] for choice in choices if choice.correct] == [7]


def test_a_run_of_one_epoch_cannot_say_when_accuracy_stopped_rising():
    shown = asked("fashion-mnist", "validation-stopped-rising",
                  {"history": {"val_accuracy": [0.81]}})
    assert isinstance(shown, questions.NotAsked)
    assert "two epochs or more" in shown.reason


@pytest.mark.parametrize(("url_path", "names"), [
    ("augmentation", ("without", "with augmentation")),
    ("transfer-learning", ("without dropout", "with dropout")),
])
def test_the_larger_gap_is_the_run_that_overfits_more(url_path, names):
    wide, narrow = names
    shown = asked(url_path, "larger-gap", {"histories": {wide: WIDE_GAP, narrow: NARROW_GAP}})
    assert right_choice(shown).answer == wide
    assert "0.250" in right_choice(shown).explanation and "0.050" in right_choice(shown).explanation
    shown = asked(url_path, "larger-gap", {"histories": {wide: NARROW_GAP, narrow: WIDE_GAP}})
    assert right_choice(shown).answer == narrow


def test_gaps_closer_than_the_tolerance_are_about_the_same():
    close = {"accuracy": [0.84], "val_accuracy": [0.80]}  # gap 0.04
    closer = {"accuracy": [0.86], "val_accuracy": [0.81]}  # gap 0.05, 0.01 apart
    shown = asked("transfer-learning", "larger-gap",
                  {"histories": {"without dropout": closer, "with dropout": close}})
    assert right_choice(shown).answer.startswith("About the same")


@pytest.mark.parametrize(("blocks", "right", "offered"), [
    (1, "13 x 13", ["28 x 28", "26 x 26", "14 x 14", "13 x 13"]),
    (2, "5 x 5", ["28 x 28", "11 x 11", "7 x 7", "5 x 5"]),
])
def test_the_feature_maps_reaching_flatten(blocks, right, offered):
    shown = asked("convolutions", "size-into-flatten", {"conv_blocks": blocks})
    assert right_choice(shown).answer == right
    assert [choice.answer for choice in shown.choices] == offered


def test_a_full_batch_run_changes_its_weights_once_per_epoch():
    shown = asked("hello-neuron", "how-many-steps", {"epochs_done": 500, "example_count": 6})
    assert right_choice(shown).answer == "500 times"
    assert [choice.answer for choice in shown.choices] == ["once", "6 times", "500 times",
                                                           "3000 times"]


@pytest.mark.parametrize(("class_names", "right", "count"), [
    (["horses", "humans"], "1", 3),
    (["paper", "rock", "scissors"], "2", 4),
    (["a", "b", "c", "d", "e", "f"], "5", 4),
])
def test_the_last_folder_gets_the_last_label(class_names, right, count):
    shown = asked("real-world-images", "folder-becomes-label", {"class_names": class_names})
    assert right_choice(shown).answer == right
    assert len(shown.choices) == count
    assert f"{right} = {class_names[-1]}" in right_choice(shown).explanation


def test_the_neurons_own_prediction_is_in_the_question():
    shown = asked("hello-neuron", "why-not-exactly-19", {"course_prediction_for_10": 18.9812})
    assert shown.text == "Your neuron predicts 18.98 for x = 10: why not exactly 19?"
    assert "very little data" in right_choice(shown).explanation
    assert isinstance(asked("hello-neuron", "why-not-exactly-19", {"weight": 1.0}),
                      questions.NotAsked)


# --- facts from the runs a page shows -----------------------------------------------------

def fake_run(history=None, extras=None, settings=None):
    return types.SimpleNamespace(history=history or {}, extras=extras or {},
                                 settings=settings or {})


def test_the_course_prediction_is_a_fact_only_for_the_courses_data():
    extras = {"weight": 1.997, "bias": -0.99, "prediction_for_10": 18.98}
    course = fake_run({"loss": [1.0, 0.5]}, extras,
                      {"xs": hello_neuron.COURSE_XS, "ys": hello_neuron.COURSE_YS})
    own = fake_run({"loss": [1.0, 0.5]}, extras, {"xs": [1.0, 2.0], "ys": [3.0, 5.0]})
    assert run_facts.for_lesson("hello-neuron", course)["course_prediction_for_10"] == 18.98
    facts = run_facts.for_lesson("hello-neuron", own)
    assert "course_prediction_for_10" not in facts
    assert facts["epochs_done"] == 2 and facts["example_count"] == 2


@pytest.mark.parametrize("prediction", [2.29, float("nan"), None])
def test_why_not_19_is_asked_only_of_a_neuron_that_came_close(prediction):
    # One epoch (2.29) or a run that blew up (nan, no prediction): "it came very close to
    # w = 2 and b = -1" would be untrue, so the question waits, saying what it needs.
    run = fake_run({"loss": [1.0]}, {"weight": 0.2254, "bias": 0.04,
                                     "prediction_for_10": prediction},
                   {"xs": hello_neuron.COURSE_XS, "ys": hello_neuron.COURSE_YS})
    facts = run_facts.for_lesson("hello-neuron", run)
    shown = asked("hello-neuron", "why-not-exactly-19", facts)
    assert isinstance(shown, questions.NotAsked) and "closely" in shown.reason


def test_one_epoch_gives_no_steps_question_with_collapsed_choices():
    shown = asked("hello-neuron", "how-many-steps", {"epochs_done": 1, "example_count": 6})
    assert isinstance(shown, questions.NotAsked) and "at least 2 epochs" in shown.reason


def test_a_found_rule_with_a_positive_bias_prints_one_sign():
    shown = asked("rules-vs-data", "where-the-numbers-come-from",
                  {"weight": 1.8, "bias": 32.0})
    assert "y = 1.8000 · x +32.0000" in shown.text and "+ +" not in shown.text


def test_a_pair_of_runs_gives_facts_only_when_both_are_there():
    runs = {"without": fake_run(WIDE_GAP), "with augmentation": None}
    assert run_facts.for_lesson("augmentation", runs) == {}
    runs["with augmentation"] = fake_run(NARROW_GAP)
    assert run_facts.for_lesson("augmentation", runs)["histories"]["without"] == WIDE_GAP
    assert run_facts.for_lesson("fashion-mnist", None) == {}


def test_the_dropout_pairs_flat_history_becomes_two_histories():
    flat = {"without dropout: accuracy": [0.9], "without dropout: val_accuracy": [0.7],
            "with dropout: accuracy": [0.85], "with dropout: val_accuracy": [0.8]}
    facts = run_facts.for_lesson("transfer-learning", fake_run(flat))
    shown = asked("transfer-learning", "larger-gap", facts)
    assert right_choice(shown).answer == "without dropout"


# --- the checker turns a teacher's slip into one sentence ---------------------------------

GOOD_QUESTION = """
[[questions]]
id = "q{number}"
question = "Question {number}?"
  [[questions.choices]]
  answer = "yes"
  correct = true
  explanation = "Because."
  [[questions.choices]]
  answer = "no"
  explanation = "Because not."
"""


@pytest.mark.parametrize(("extra", "message"), [
    ("", None),
    (GOOD_QUESTION.replace("{number}", "0").replace('"no"\n', '"no"\n  correct = true\n'),
     "has 2 choices marked correct = true"),
    (GOOD_QUESTION.replace("{number}", "0").replace('  explanation = "Because not."\n', ""),
     "needs both an answer and an explanation"),
    (GOOD_QUESTION.replace("{number}", "0").replace("correct = true", "corect = true"),
     "unknown key 'corect'"),
    (GOOD_QUESTION.replace("{number}", "0").replace("Question 0?", "Your {epoch}?"),
     "uses {epoch}"),
    (GOOD_QUESTION.replace("{number}", "1"), "uses the id 'q1' twice"),
    ('[[questions]]\nid = "q0"\nquestion = "?"\ncomputed = "best_guess"\n', "not a kind"),
    ("[[questions]\n", "not valid TOML"),
])
def test_a_broken_file_is_named_with_the_rule_it_breaks(tmp_path, monkeypatch, extra, message):
    monkeypatch.setattr(questions, "QUESTIONS_FOLDER", tmp_path)
    text = "".join(GOOD_QUESTION.replace("{number}", str(number)) for number in (1, 2, 3))
    (tmp_path / "lesson.toml").write_text(text + extra)
    if message is None:
        assert len(questions.load_lesson("lesson")) == 3
        return
    with pytest.raises(questions.QuestionFileError, match=message.replace("{", r"\{")):
        questions.load_lesson("lesson")


def test_too_few_questions_and_a_missing_file_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(questions, "QUESTIONS_FOLDER", tmp_path)
    (tmp_path / "two.toml").write_text(GOOD_QUESTION.replace("{number}", "1")
                                       + GOOD_QUESTION.replace("{number}", "2"))
    with pytest.raises(questions.QuestionFileError, match="has 2 questions; a lesson has 3"):
        questions.load_lesson("two")
    with pytest.raises(questions.QuestionFileError, match="no question file"):
        questions.load_lesson("nowhere")


def test_placeholders_are_read_as_format_fields():
    assert questions.placeholders("epoch {epoch} ({value:.3f}) {{literal}}") == {"epoch",
                                                                                 "value"}
    assert list(string.Formatter().parse("plain"))[0][1] is None


def test_answers_download_as_csv():
    rows = [{"lesson": "2. Hello, neuron", "question": "Why, exactly?", "your answer": "a, b",
             "right answer": "a, b", "correct": True},
            {"lesson": "3. Fashion-MNIST", "question": "Which epoch?", "your answer": "epoch 2",
             "right answer": "epoch 3", "correct": False}]
    read = list(csv.DictReader(io.StringIO(questions.answers_csv(rows))))
    assert [row["correct"] for row in read] == ["yes", "no"]
    assert read[0]["your answer"] == "a, b" and read[1]["right answer"] == "epoch 3"
    assert list(read[0]) == list(questions.ANSWER_COLUMNS)


def test_a_best_epoch_at_the_end_is_explained_as_still_rising():
    shown = asked("fashion-mnist", "validation-stopped-rising",
                  {"history": {"val_accuracy": [0.70, 0.76, 0.78, 0.81]}})
    assert right_choice(shown).answer == "epoch 4"
    assert "had not stopped rising yet" in right_choice(shown).explanation
    shown = asked("fashion-mnist", "validation-stopped-rising", {"history": HISTORY})
    assert "none of the 3 epochs after it" in right_choice(shown).explanation
