"""Showing the code that runs: the source of the very functions the page calls."""

import inspect

import streamlit


def show_code(*functions, caption: str = "") -> None:
    """Display each function's own source, so the code a learner reads cannot drift
    from the code that ran (the habit of Streamlit's hello app)."""
    for function in functions:
        module = inspect.getmodule(function).__name__.replace(".", "/")
        streamlit.caption(f"`{module}.py` · `{function.__name__}`")
        # Wrapped, not scrolled: beside the controls the column is narrower than the code.
        streamlit.code(inspect.getsource(function), language="python", wrap_lines=True)
    if caption:
        streamlit.caption(caption)
