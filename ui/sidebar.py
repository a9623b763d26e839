"""The sidebar every page shares: where the data lives and whether it is there."""

import streamlit

from engine import settings


def render() -> None:
    with streamlit.sidebar:
        streamlit.caption("Data directory")
        streamlit.code(str(settings.data_dir()), language=None)
        streamlit.caption(f"Set `{settings.DATA_DIR_VARIABLE}` to use another folder.")
