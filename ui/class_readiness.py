"""The home page's "Ready for class?" table: per lesson, what its default runs need and whether
it is there (engine/readiness.py, the same table `python -m engine.prepare` prints), so a
teacher sees at a glance whether every lesson will show its run at once."""

import streamlit as st

from engine import readiness
from ui import tables

ROW_PIXELS = 35  # Streamlit's dataframe row height


def render() -> None:
    lessons = readiness.lesson_readiness()
    ready = sum(lesson.ready for lesson in lessons)
    st.subheader("Ready for class?")
    if ready == len(lessons):
        st.success(f"Ready: {ready} of {len(lessons)} lessons have their data and their "
                   "default runs, so each opens its run straight from the cache.",
                   icon=":material/task_alt:")
    else:
        waiting = "The others" if ready else "Each lesson"
        st.warning(f"Ready: {ready} of {len(lessons)} lessons. {waiting} download or "
                   "train on first use, which makes a class wait; before class, run "
                   f"`{readiness.PREPARE_COMMAND}` once.",
                   icon=":material/pending_actions:")
    rows = readiness.table_rows(lessons)
    for row in rows:
        del row["time"]  # how long a step took: only the command measures that
    # Tall enough for every row: a teacher reads it at a glance, without scrolling inside it.
    # The advice column gets the room: a teacher must read it without resizing anything.
    tables.show(rows, hide_index=True, width="stretch",
                height=ROW_PIXELS * (len(rows) + 1) + 3,
                column_config={"lesson": st.column_config.TextColumn(
                    width="small"), "state": st.column_config.TextColumn(
                    width="small"), "what to do": st.column_config.TextColumn(
                    width="large")})
    for sentence in readiness.advice(lessons):
        st.caption(sentence)
