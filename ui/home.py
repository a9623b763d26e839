"""The home page: what the classroom teaches, the lesson map, the learner's answers so far,
and what data is on disk."""

import streamlit as st

from engine import hosting
from ui import class_readiness
from ui import data_status
from ui import lesson_list
from ui import understanding


def render() -> None:
    st.title("Keras Classroom")
    st.markdown(
        "From *what is machine learning?* to transfer learning with InceptionV3: the path "
        "of DeepLearning.AI's **TensorFlow in Practice**, courses 1 and 2, as lessons you "
        "can touch. Every lesson shows the exact Keras code that runs beside the controls "
        "that drive it, trains fast enough for a live class, and draws its curves as it goes."
    )
    st.subheader("Lessons")
    for lesson in lesson_list.LESSONS:
        st.page_link(lesson.file, label=f"{lesson.title}: {lesson.summary}",
                     icon=lesson.icon)
    hosting_note()
    class_readiness.render()
    understanding.show_progress()
    st.subheader("Data and weights")
    data_status.render_table()


def hosting_note() -> None:
    """Whether this server is shared with strangers, and the setting that makes it so."""
    variable = f"`{hosting.SHARED_SERVER_VARIABLE}=1`"
    if hosting.shared_server():
        st.info(f"This classroom runs as a shared server ({variable}): your own "
                "pictures and weights come as uploads, and no page reads, writes or "
                "names the server's folders.", icon=":material/lock:")
    else:
        st.caption(f"Hosting for a class? Start the server with {variable}: it turns "
                   "off the inputs that read the server's own folders (a folder on "
                   "this computer, a weights file's path) and keeps its folders out "
                   "of every page (README, Hosting for a class).")
