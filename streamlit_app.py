"""Keras Classroom: navigation only. Each lesson lives in lessons/, its Keras side in engine/."""

import streamlit as st

from engine import hosting
from engine import keras_lock
from engine import runner
from ui import home
from ui import lesson_list
from ui import sidebar

st.set_page_config(page_title="Keras Classroom", page_icon=":material/school:", layout="wide")
if hosting.shared_server():
    # An unexpected error shows its type only: its message and traceback name server paths.
    st.set_option("client.showErrorDetails", "type")
runner.start_in_background()  # the training workers, ready before the first Train
# Before the first page view ends: Streamlit clears Keras' state after every view
keras_lock.guard_clear_session()

home_page = st.Page(home.render, title="Home", icon=":material/home:", default=True)
lesson_pages = [
    st.Page(lesson.file, title=lesson.title, icon=lesson.icon, url_path=lesson.url_path)
    for lesson in lesson_list.LESSONS
]
navigation = st.navigation({"Keras Classroom": [home_page], "Lessons": lesson_pages})
sidebar.render()
navigation.run()
