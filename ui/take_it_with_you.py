"""The "Take it with you" row every lesson that trains ends with: the model (.keras), its
history (.csv) and a script that trains it again (.py), from engine.take_home.TakeHome."""

import streamlit as st

from engine import take_home
from engine import take_home_scripts
from engine import training


def offer(files: take_home.TakeHome, key: str) -> None:
    """Three download buttons side by side, and a caption saying what the model expects.
    The model's file is made only when the learner asks for it (Streamlit calls the function
    on the click): saving a large model on every rerun would slow every page."""
    model_column, history_column, script_column = st.columns(3)
    model_column.download_button(files.model_label, files.model_bytes, files.model_file,
                                 icon=":material/download:", key=f"{key}-model")
    history_column.download_button(files.history_label, training.history_csv(files.history),
                                   files.history_file_name, mime="text/csv",
                                   icon=":material/download:", key=f"{key}-history")
    script_column.download_button("script (.py)", files.script, files.script_file,
                                  mime="text/x-python", icon=":material/download:",
                                  key=f"{key}-script")
    st.caption(f"{files.note} The script trains the same model again with your "
               f"settings on the same data, with TensorFlow alone: `python "
               f"{files.script_file} {files.quick_try}` for a quick try.")


def offer_neuron(file_stem: str, run, script: str, key: str) -> None:
    """Lessons 1 and 2's row: the neuron of `run` (engine.run_cache.Run), which takes a number
    as it comes, its history and `script`."""
    offer(take_home.TakeHome(file_stem, run.model, None, run.history, script,
                             inputs=take_home_scripts.ONE_NEURON_INPUTS), key)
