"""The sidebar every page shares: where the data lives and whether it is there."""

import streamlit

from engine import settings
from ui import projector


def render() -> None:
    projector.switch()
    with streamlit.sidebar:
        # A caption wraps a long path; a code block would hide its end behind a scrollbar.
        streamlit.caption(f"Data directory: `{settings.data_dir()}`")
        streamlit.caption(f"Set `{settings.DATA_DIR_VARIABLE}` to use another folder.")
