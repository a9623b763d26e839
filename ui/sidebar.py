"""The sidebar every page shares: where the data lives and whether it is there."""

import streamlit as st

from engine import hosting
from ui import projector


def render() -> None:
    projector.switch()
    with st.sidebar:
        if hosting.shared_server():  # its folders are none of a visitor's business
            st.caption(SHARED_SERVER_NOTE)
            return
        # A caption wraps a long path; a code block would hide its end behind a scrollbar.
        st.caption(f"Data directory: `{hosting.data_dir()}`")
        st.caption(f"Set `{hosting.DATA_DIR_VARIABLE}` to use another folder.")


SHARED_SERVER_NOTE = ("A shared server: your own pictures and weights come as uploads, kept "
                      "apart from other learners'; the server's folders stay out of sight.")
