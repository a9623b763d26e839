"""Showing the code that runs: the source of the very functions the page calls."""

import inspect

import streamlit as st

from engine import source_code


SHOWN_KEY = "code-shown"  # the functions this session was shown as code that runs


def show_code(*functions, caption: str = "", runs: bool = True) -> None:
    """Display each function's own source, so the code a learner reads cannot drift
    from the code that ran (the habit of Streamlit's hello app). `runs=False` for code shown
    only for comparison, such as the course's own form of what the classroom runs otherwise;
    the others are recorded, so a test can check that they are what ran."""
    if runs:
        st.session_state.setdefault(SHOWN_KEY, set()).update(
            f"{function.__module__}.{function.__qualname__}" for function in functions)
    for function in functions:
        module = inspect.getmodule(function).__name__.replace(".", "/")
        st.caption(f"`{module}.py` · `{function.__name__}`")
        # Wrapped, not scrolled: beside the controls the column is narrower than the code.
        st.code(source_code.source_of(function), language="python", wrap_lines=True)
    if caption:
        st.caption(caption)
