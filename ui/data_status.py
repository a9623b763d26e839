"""The data-and-weights status panel (filled in once the registry lands)."""

import streamlit


def render_table() -> None:
    streamlit.info("Checking data...")
