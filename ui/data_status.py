"""The data-and-weights status panel: what is on disk, what is missing, how to get it."""

import streamlit as st

from engine import course_assets
from engine import downloads
from engine import hosting
from engine import registry
from ui import shared_caches
from ui import tables

# Words, not emoji: a classroom projector's browser may lack an emoji font.
STATES = {"present": "present", "missing": "missing", "corrupt": "corrupt: download again"}


def render_table() -> None:
    statuses = registry.all_statuses()
    lessons = {asset.key: ", ".join(map(str, asset.lessons)) for asset in course_assets.ASSETS}
    shared = hosting.shared_server()  # a shared server names none of its folders
    tables.show(
        [{"asset": status.title,
          "state": STATES.get(status.state, status.state),
          "size": f"{status.size_bytes / 1e6:.1f} MB" if status.size_bytes else "",
          "used by": lessons.get(status.key, ""),
          **({} if shared else {"where": str(status.path)})} for status in statuses],
        hide_index=True, width="stretch")
    missing = [status.title for status in statuses if not status.is_present]
    if missing:
        folder = "the data directory" if shared else f"`{hosting.data_dir()}`"
        st.caption(
            "Lessons download what they need the first time they run. For a classroom "
            "without internet, run `python -m engine.downloads` on a connected machine and "
            f"copy {folder} over (or point `{hosting.DATA_DIR_VARIABLE}` at the copy).")


def say_missing(problem: downloads.MissingDataError, needed_for: str = "") -> None:
    """How every page says a dataset or weights file is missing: the error's sentence for
    learners (it names no server path), after `needed_for` when the page says what for."""
    st.error(f"{needed_for}{problem.learner_message}", icon=":material/cloud_off:")


def fashion_mnist_or_stop():
    """Lessons 3 and 4's pictures, ((training images, labels), (test images, labels)) as
    Keras' loader gives them (uint8 (N, 28, 28), labels (N,)), kept for every session; when
    they are missing, says so and stops the page."""
    try:
        return shared_caches.fashion_mnist_data()
    except downloads.MissingDataError as problem:
        say_missing(problem)
        st.stop()
