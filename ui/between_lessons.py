"""What one lesson hands to another within a learner's session, kept in one place so that
neither lesson's helpers own the other's state. Session keys, not widget keys: Streamlit
forgets a widget's value once a page without that widget runs, and each lesson is a page."""

import streamlit as st

# Lesson 6's last augmentation settings, which lesson 7 offers as "your augmentation".
AUGMENTATION_FROM_LESSON_6 = "lesson-6-augmentation-settings"


def keep_augmentation(settings) -> None:
    """Lesson 6: keep its augmentation settings (engine.augment.AugmentSettings) for lesson 7."""
    st.session_state[AUGMENTATION_FROM_LESSON_6] = settings


def augmentation_from_lesson_6():
    """Lesson 7: the augmentation settings lesson 6 kept in this session, or None."""
    return st.session_state.get(AUGMENTATION_FROM_LESSON_6)
