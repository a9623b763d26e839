"""The training experience every lesson shares: a progress bar, live curves, a stop button
that keeps what was learned, and a note when another learner is training the same thing.

How stopping works: clicking Stop makes Streamlit rerun the page, which interrupts the
running script at its next drawing call, here the progress bar inside a Keras callback.
Each epoch leaves the model and its history in the session, so the rerun can show them.
"""

import dataclasses

import streamlit

from engine import charts


def partial_key(run_key: str) -> str:
    return f"stopped-run-{run_key}"


def stopped_run(run_key: str):
    """(history, model) of a run for these settings that the learner stopped, or None."""
    return streamlit.session_state.get(partial_key(run_key))


def forget_stopped_run(run_key: str) -> None:
    streamlit.session_state.pop(partial_key(run_key), None)
    streamlit.session_state.pop(f"{partial_key(run_key)}-facts", None)


def draw_curves(history: dict, key_prefix: str, validation_label: str = "validation") -> None:
    loss_column, accuracy_column = streamlit.columns(2)
    loss_column.plotly_chart(charts.history_curves(history, "loss", "Loss", validation_label),
                             key=f"{key_prefix}-loss")
    accuracy_column.plotly_chart(charts.history_curves(history, "accuracy", "Accuracy",
                                                       validation_label),
                                 key=f"{key_prefix}-accuracy")


def train_live(run_key: str, train, total_epochs: int):
    """Call `train(on_epoch, on_batch, on_wait)` while showing its progress; returns its run.

    A Stop button is drawn first so the learner can press it while training runs."""
    stop_slot = streamlit.empty()
    stop_slot.button("Stop training", icon=":material/stop_circle:",
                     key=f"stop-{run_key[:16]}",
                     help="Stops within one batch and keeps the model learned so far.")
    progress_bar = streamlit.progress(0.0, text="Starting...")
    curves = streamlit.empty()
    forget_stopped_run(run_key)

    def on_batch(epoch, batch, steps_per_epoch):
        done = (epoch + batch / steps_per_epoch) / total_epochs
        progress_bar.progress(min(done, 1.0), text=f"Epoch {epoch + 1} of {total_epochs}: "
                                                   f"batch {batch} of {steps_per_epoch}")

    def on_epoch(history, model):
        streamlit.session_state[partial_key(run_key)] = ({name: list(values) for name, values
                                                          in history.items()}, model)
        epochs_done = len(history.get("loss", []))
        progress_bar.progress(min(epochs_done / total_epochs, 1.0),
                              text=f"Epoch {epochs_done} of {total_epochs} done")
        with curves.container():
            draw_curves(history, f"live-{epochs_done}")

    def on_wait():
        streamlit.info("Another learner is training these exact settings right now; "
                       "waiting for their result instead of training twice.",
                       icon=":material/group:")

    run = train(on_epoch, on_batch, on_wait)
    forget_stopped_run(run_key)
    for finished in (stop_slot, progress_bar, curves):
        finished.empty()
    return run


@dataclasses.dataclass
class Outcome:
    """What a lesson shows after training: from a finished run, or a stopped one."""

    history: dict
    model: object
    facts: dict
    probabilities: object


def train_or_show(kind: str, run_key: str, epochs: int, train, evaluate_stopped,
                  probabilities_name: str = "test_probabilities", button_label: str = "Train",
                  key: str = "train"):
    """The Train button and its result, shared by every lesson that trains a classifier.

    A finished run for these settings (by anyone on this server) is shown at once; else
    Train calls `train(on_epoch, on_batch, on_wait)` live; a run the learner stopped is
    shown with `evaluate_stopped(model)`'s facts. Returns None while nothing is trained."""
    from engine import cached

    run = cached.stored_run(kind, run_key)
    reused = run is not None
    if run is None and streamlit.button(button_label, type="primary",
                                        icon=":material/play_arrow:", key=key):
        run = train_live(run_key, train, epochs)
        cached.remember_run(kind, run)
    if run is not None:
        if reused:
            streamlit.caption("These settings were trained before (by you or a classmate): "
                              "here is that run, straight from the cache.")
        return Outcome(run.history, run.model, run.extras, run.arrays[probabilities_name])

    stopped = stopped_run(run_key)
    if stopped is None:
        streamlit.info(f"Press **{button_label}**. Identical settings, trained by anyone on "
                       "this server, come back at once.", icon=":material/play_arrow:")
        return None
    history, model = stopped
    # Evaluated once, not on every rerun: a learner browsing the results of a stopped run
    # would otherwise wait for the whole test set at each click.
    facts_key = f"{partial_key(run_key)}-facts"
    if facts_key not in streamlit.session_state:
        streamlit.session_state[facts_key] = evaluate_stopped(model)
    facts = streamlit.session_state[facts_key]
    streamlit.warning(f"You stopped training after {len(history.get('loss', []))} of "
                      f"{epochs} epochs: below is the model as it was then.",
                      icon=":material/stop_circle:")
    return Outcome(history, model, facts, facts[probabilities_name])


def show_outcome(outcome: Outcome, key_prefix: str, accuracy_name: str = "test_accuracy"):
    """The curves and headline numbers every training lesson shows after a run."""
    draw_curves(outcome.history, key_prefix, "validation (test set)"
                if accuracy_name.startswith("test") else "validation")
    accuracy_column, time_column, parameters_column = streamlit.columns(3)
    accuracy_column.metric(accuracy_name.replace("_", " "),
                           f"{outcome.facts[accuracy_name]:.4f}")
    if "training_seconds" in outcome.facts:  # a stopped run has no full training time
        time_column.metric("training time", f"{outcome.facts['training_seconds']:.1f} s")
    parameters_column.metric("parameters", f"{outcome.model.count_params():,}")
