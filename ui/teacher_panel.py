"""The "For teachers" panel every lesson has in its sidebar: a link to the lesson as it is set
now, with chosen controls locked (shown, but set by the teacher) or hidden, as TensorFlow
Playground hides controls. The locks live in the link (see ui/url_state.py), not on the server."""

import urllib.parse

import streamlit as st


def show(link) -> None:
    """The panel for `link` (a ui.url_state.Link), in the sidebar. Not shown to a learner
    whose own link carries locks: it would offer them a way around the lock."""
    if link.locks():
        with st.sidebar:
            st.caption(":material/lock: Some controls of this lesson are set by your "
                       "teacher's link.")
        return
    with st.sidebar.expander("For teachers", icon=":material/co_present:"):
        st.markdown("Set the lesson's controls as the class should have them, then "
                    "choose which ones a learner may not change.")
        names = list(link.defaults)
        locked = st.multiselect(
            "lock (shown, but set by you)", names, key=f"teacher-lock-{link.name}",
            help="The learner sees the control greyed out, with the note 'set by your teacher'.")
        hidden = st.multiselect(
            "hide (not shown; your value is used)", [name for name in names
                                                    if name not in locked],
            key=f"teacher-hide-{link.name}")
        query = link.address(locked, hidden)
        st.code(page_address() + (f"?{query}" if query else ""), language=None,
                wrap_lines=True)
        st.caption("Copy the link with the button in its box. The locks travel in the "
                   "link: a learner who deletes `lock=` from the address and reloads "
                   "gets the controls back, so the link keeps a class together rather "
                   "than enforcing anything.")


def page_address() -> str:
    """This page's address without its query (a relative path when the server's is unknown,
    as in tests)."""
    url = st.context.url
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
