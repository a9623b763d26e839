"""How every lesson that trains a classifier shows a run: its curves and headline numbers.
(Training itself, watched live, is ui/job_view.py.)"""

import streamlit as st

from engine import jobs
from engine import training_charts
from ui import job_view
from ui import understanding


def validation_label(accuracy_name: str) -> str:
    """How the curves name the validation data: the test set, when the accuracy is one."""
    return "validation (test set)" if accuracy_name.startswith("test") else "validation"


def draw_curves(history: dict, key_prefix: str, validation_label: str = "validation") -> None:
    loss_column, accuracy_column = st.columns(2)
    loss_column.plotly_chart(training_charts.history_curves(history, "loss", "Loss",
                                                            validation_label),
                             key=f"{key_prefix}-loss")
    accuracy_column.plotly_chart(training_charts.history_curves(history, "accuracy", "Accuracy",
                                                                validation_label),
                                 key=f"{key_prefix}-accuracy")


def show_outcome(run, key_prefix: str, accuracy_name: str = "test_accuracy") -> None:
    """The curves and headline numbers of a run (engine.run_cache.Run), finished or stopped."""
    draw_curves(run.history, key_prefix, validation_label(accuracy_name))
    accuracy_column, time_column, parameters_column = st.columns(3)
    label = accuracy_name.replace("_", " ")
    accuracy_column.metric(label if run.complete else f"{label} of the kept model",
                           f"{run.extras[accuracy_name]:.4f}")
    if run.complete:  # a stopped run has no full training time
        time_column.metric("training time", f"{run.extras['training_seconds']:.1f} s")
    parameters_column.metric("parameters", f"{run.extras['parameters']:,}")


def train_and_show(job: jobs.Job, url_path: str, key_prefix: str, live_key: str,
                   accuracy_name: str = "test_accuracy"):
    """Lessons 3 to 5: the Train button and the live curves (under `live_key`), then the run's
    outcome (show_outcome) and the run; with no run to show yet, the page ends here with the
    lesson's questions (understanding.stop_before_run of `url_path`)."""
    run = job_view.train_or_show(job, lambda history: draw_curves(
        history, live_key, validation_label(accuracy_name)))
    if run is None:
        understanding.stop_before_run(url_path)
    show_outcome(run, key_prefix, accuracy_name)
    return run
