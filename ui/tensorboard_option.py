"""The course's TensorBoard callback as an option, the same on every lesson that trains with
`fit`: a checkbox kept in the lesson's link, and after the run, the command that opens the
logs (or why these settings have none). The callback itself is made in
engine/training.tensorboard_callbacks (lessons 1 and 2: training.full_batch_tensorboard_logs)."""

import streamlit as st

from engine import hosting
from engine import training

LABEL = "also write TensorBoard logs"


def checkbox(link) -> bool:
    """Draw the option through the lesson's url_state.Link, whose setting for it is called
    "tensorboard" (so a teacher can lock it or hand it out in a link); returns it."""
    return link.control("tensorboard", st.checkbox, LABEL,
                        help="The course's keras.callbacks.TensorBoard: loss, accuracy and "
                             "weight histograms per epoch, for TensorBoard to draw. It only "
                             "watches: the run learns the same with or without it.")


def show_logs(settings, run_name: str = "") -> None:
    """After a run of `settings` (with `tensorboard` set): the command that opens its logs, or,
    when the run was trained before without them, how to get a run that writes them.
    `run_name` tells apart the runs of a page that trains several (lesson 6)."""
    if not settings.tensorboard:
        return
    which = f" of the run {run_name}" if run_name else ""
    if not training.tensorboard_event_files(settings):
        st.info(f"No TensorBoard logs{which}: these settings were trained before "
                "without them, and the option changes nothing the run learns, so that "
                "run was reused. Change the seed (or another setting) to train a run "
                "that writes them.", icon=":material/info:")
        return
    if hosting.shared_server():  # no server path on a shared server
        st.markdown(f"TensorBoard logs{which} were written on the server, in the data "
                    "directory's `tensorboard` folder: your teacher can open them with "
                    "`tensorboard --logdir` on that folder.")
        return
    st.markdown(f"TensorBoard logs{which} were written. Open them with:")
    st.code(training.tensorboard_command(), language="bash")
