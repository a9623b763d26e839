"""Projector mode, for a teacher showing a lesson to a class: larger type, the narrative folded
into expanders (the teacher tells the story), so the controls, charts and code come first, and
the code that runs unfolded. A switch in the sidebar, kept in the link as `projector=true`."""

import streamlit as st

KEY = "projector"  # the switch's widget key, and its name in the address bar
NARRATIVE_LABEL = "The lesson's text"
# Streamlit sizes its text in rem, so a larger root font enlarges every label, paragraph and
# control together; Plotly sizes its text in px, hence the chart fonts below. The content keeps
# less padding so more of it fits on a 1280 x 720 projector.
STYLE = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding: 2.5rem 1.5rem 2rem 1.5rem; }
.js-plotly-plot .main-svg .xtick text, .js-plotly-plot .main-svg .ytick text,
.js-plotly-plot .main-svg .legendtext { font-size: 14px !important; }
.js-plotly-plot .main-svg .gtitle { font-size: 17px !important; }
</style>
"""


BAD_LINK_NOTE = "projector-bad-link-note"


def switch() -> None:
    """The sidebar switch. Streamlit's own binding keeps it in the address bar, so a link can
    open a lesson ready for the projector, and it stays on from lesson to lesson. A link's
    value other than true or false is dropped by Streamlit; the sidebar says so until the
    switch is turned on."""
    written = st.query_params.get(KEY)
    if written is not None and written.lower() not in ("true", "false", ""):
        st.session_state[BAD_LINK_NOTE] = (
            f"The link's projector={written} is neither true nor false, so projector mode is "
            "off: turn it on with the switch above, or write projector=true in the link.")
    st.sidebar.toggle("Projector mode", key=KEY, bind="query-params",
                      help="Larger type, the lesson's text folded away, charts and "
                           "code first: for showing a lesson to a class.")
    if is_on():
        st.session_state.pop(BAD_LINK_NOTE, None)
        st.html(STYLE)
    elif BAD_LINK_NOTE in st.session_state:
        st.sidebar.warning(st.session_state[BAD_LINK_NOTE], icon=":material/link_off:")


def is_on() -> bool:
    """Whether the page is drawn for a projector: the switch, or (for a page run on its own,
    as in tests) the address's projector=true."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    return st.query_params.get(KEY, "").lower() == "true"


def narrative(text: str) -> None:
    """A paragraph of the lesson's story: shown as it is, or folded on the projector."""
    if is_on():
        with st.expander(NARRATIVE_LABEL, icon=":material/menu_book:"):
            st.markdown(text)
    else:
        st.markdown(text)


def code_expander(label: str):
    """An expander holding code that runs: unfolded on the projector, where the code comes
    first."""
    return st.expander(label, expanded=is_on())


def controls_and_display(spec, gap: str = "large"):
    """Two places, (controls, display), side by side as `st.columns(spec)`; on the projector
    the display (the code or the pictures beside the controls) spans the width above them,
    where larger type does not squeeze it into a narrow column."""
    if not is_on():
        return st.columns(spec, gap=gap)
    display = st.container()
    return st.container(), display
