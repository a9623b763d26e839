"""Lesson 3's exploration exercises (course 1 week 2): break the model on purpose and read
what Keras says, or train long enough to watch overfitting. One call draws the section, so
the page only says where it goes."""

import streamlit as st

from engine import exercises
from ui import code
from ui import shared_caches

CHOSEN_KEY = "exercise-chosen"  # the broken model whose error the learner asked to see
OVERFITTING_EPOCHS = 30


def break_it(link) -> None:
    """The exercises as one-click variations. `link`: the lesson's url_state.Link, whose
    epochs the third button sets to 30 (left alone when a teacher locked them)."""
    st.subheader("Exploration exercises: break it on purpose")
    st.markdown("The course asks you to change the model and see what happens. Each "
                "button below does one change for you.")
    columns = st.columns(3)
    for column, exercise in zip(columns, exercises.EXERCISES):
        column.button(exercise.title, key=f"exercise-{exercise.name}", width="stretch",
                      on_click=choose, args=(exercise.name,))
    # The "Set 30 epochs" button: it only moves the epochs slider; the next Train trains.
    columns[2].button(f"Set {OVERFITTING_EPOCHS} epochs", key="exercise-overfitting",
                      width="stretch", on_click=link.use,
                      args=({"epochs": OVERFITTING_EPOCHS},),
                      disabled="epochs" in link.locks(),
                      help="Sets the epochs slider above to 30; nothing trains yet.")
    columns[2].caption("Then press **Train** and watch the loss chart: the training loss "
                       "keeps falling while the validation (test set) loss stops falling "
                       "and rises again. That is overfitting: the model learns its training "
                       "pictures by heart.")
    chosen = st.session_state.get(CHOSEN_KEY)
    if chosen is not None:
        show_error(exercises.by_name(chosen))


def choose(name: str) -> None:
    st.session_state[CHOSEN_KEY] = name


def show_error(exercise: exercises.Exercise) -> None:
    """What Keras said when `fit` met the broken model, word for word, and what it means."""
    message = shared_caches.exercise_error(exercise.name)
    st.markdown(f"**{exercise.title}**: this model, given "
                f"{exercises.PICTURES} training pictures, and `fit` answers:")
    if message:
        st.code(message, language=None, wrap_lines=True)
        st.markdown(exercise.explanation)
    else:
        st.warning("Keras trained this model without an error: this version of Keras "
                   "accepts what the course's did not.", icon=":material/info:")
    with st.expander("The broken model's code"):
        code.show_code(exercises.broken_model,
                       caption=f"Called with flatten={exercise.flatten}, "
                               f"output_neurons={exercise.output_neurons}.")
