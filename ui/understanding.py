""""Check your understanding": the questions that end every lesson, and the learner's progress
on the home page.

A lesson page ends with one call, handing over the run it shows (if any):

    understanding.section("fashion-mnist", run)

The questions are data (lessons/questions/<lesson>.toml, read by engine/questions.py); the
facts of the run come from engine/run_facts.py. A learner's answers are kept for the session
in st.session_state, under the lesson and the question's id, so they survive moving between
pages; the home page shows them per lesson and offers them as a CSV file.
"""

import time

import streamlit as st

from engine import questions
from engine import run_facts
from ui import lesson_list

ANSWERS_KEY = "understanding-answers"  # {lesson url path: {question id: answer record}}
HEADER = "Check your understanding"


def answers() -> dict:
    """This session's answers: {lesson url path: {question id: record}}, a record being a dict
    with the question's text, the learner's answer, the right answer and whether it was right."""
    return st.session_state.setdefault(ANSWERS_KEY, {})


def section(url_path: str, runs=None) -> None:
    """The lesson's questions, at the end of its page. `runs` is the run the page shows
    (engine.run_cache.Run), None before there is one, or {name: Run or None} for a page
    that shows several (as lesson 6's pair)."""
    st.header(HEADER)
    try:
        lesson_questions = questions.load_lesson(url_path)
    except questions.QuestionFileError as problem:
        st.error(str(problem), icon=":material/quiz:")
        return
    st.caption("Pick an answer and press Check: every choice is then explained. Your "
               "answers are kept while this tab is open; the home page shows your "
               "progress and lets you download them.")
    facts = run_facts.for_lesson(url_path, runs)
    for number, question in enumerate(lesson_questions, 1):
        with st.container(border=True):
            show_question(url_path, number, questions.ask(question, facts))


def stop_before_run(url_path: str, runs=None) -> None:
    """End a page that has no run to show yet (nothing trained, or training now): its
    questions about the course's ideas can be answered already, and those about the
    learner's own run say that they wait for one. Then the script stops, as st.stop()."""
    section(url_path, runs)
    st.stop()


def show_question(url_path: str, number: int, asked) -> None:
    if isinstance(asked, questions.NotAsked):
        st.markdown(f"**{number}.** :gray[{asked.reason}]")
        return
    record = answers().get(url_path, {}).get(asked.id)
    if record is not None and record["question"] == asked.text:
        show_answered(number, asked, record)
        return
    if record is not None:  # the run changed since: a new question about the new run
        st.caption("You answered this question about an earlier run; here it is "
                   "about the run above.")
    radio_key = f"understanding-{url_path}-{asked.id}"
    with st.form(f"{radio_key}-form", border=False):
        st.radio(f"**{number}.** {asked.text}", range(len(asked.choices)), index=None,
                 format_func=lambda index: asked.choices[index].answer, key=radio_key)
        st.form_submit_button("Check", key=f"{radio_key}-check", on_click=record_answer,
                              args=(url_path, asked, radio_key))
    if st.session_state.pop(f"{radio_key}-empty", False):
        st.warning("Pick one of the answers first, then press Check.",
                   icon=":material/touch_app:")


def record_answer(url_path: str, asked, radio_key: str) -> None:
    """The Check button's callback: keep the picked answer (before the page runs again)."""
    picked = st.session_state.get(radio_key)
    if picked is None:
        st.session_state[f"{radio_key}-empty"] = True
        return
    choice = asked.choices[picked]
    answers().setdefault(url_path, {})[asked.id] = {
        "question": asked.text, "answer": choice.answer,
        "right answer": asked.right_answer, "correct": choice.correct}


def show_answered(number: int, asked, record: dict) -> None:
    st.markdown(f"**{number}.** {asked.text}")
    if record["correct"]:
        st.success(f"Right: {record['answer']}", icon=":material/check_circle:")
    else:
        st.warning(f"Your answer: {record['answer']}  \nThe right answer: "
                   f"{record['right answer']}", icon=":material/lightbulb:")
    for choice in asked.choices:
        mark = (":material/check_circle: **right answer**" if choice.correct else
                ":material/cancel: **your answer**" if choice.answer == record["answer"]
                else ":material/radio_button_unchecked:")
        st.markdown(f"{mark} {choice.answer}  \n:gray[{choice.explanation}]")


def lesson_progress() -> list:
    """Per lesson, in course order: (lesson, questions answered, answered right, questions),
    the count of questions None when the lesson's question file cannot be read."""
    rows = []
    for lesson in lesson_list.LESSONS:
        records = answers().get(lesson.url_path, {})
        try:
            total = len(questions.load_lesson(lesson.url_path))
        except questions.QuestionFileError:
            total = None
        rows.append((lesson, len(records), sum(record["correct"] for record in records.values()),
                     total))
    return rows


def show_progress() -> None:
    """The home page's part: progress per lesson and the answers as a CSV download."""
    st.subheader("Your answers")
    progress = lesson_progress()
    for lesson, answered, right, total in progress:
        if total is None:
            st.caption(f"{lesson.title}: its questions cannot be read; open the lesson "
                       "to see why.")
            continue
        st.progress(min(answered / total, 1.0),
                    text=f"{lesson.title}: {answered} of {total} answered, {right} right")
    answered = sum(row[1] for row in progress)
    right = sum(row[2] for row in progress)
    st.download_button(
        "your answers (.csv)", questions.answers_csv(answer_rows()),
        # Dated, so that a teacher who collects a class's files can tell them apart.
        f"keras_classroom_answers_{time.strftime('%Y-%m-%d_%H%M')}.csv", mime="text/csv", icon=":material/download:",
        disabled=not answered, key="understanding-download",
        help=f"Score so far: {right} of {answered} answered right.")
    st.caption(f"Score so far: {right} right of {answered} answered. Each lesson ends "
               f"with its questions, under *{HEADER}*.")


def answer_rows() -> list:
    """The answers as engine.questions.answers_csv takes them, lessons in course order."""
    return [{"lesson": lesson.title, "question": record["question"],
             "your answer": record["answer"], "right answer": record["right answer"],
             "correct": record["correct"]}
            for lesson in lesson_list.LESSONS
            for record in answers().get(lesson.url_path, {}).values()]
