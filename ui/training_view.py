"""How every lesson that trains a classifier shows a run: its curves and headline numbers.
(Training itself, watched live, is ui/job_view.py.)"""

import streamlit

from engine import training_charts


def draw_curves(history: dict, key_prefix: str, validation_label: str = "validation") -> None:
    loss_column, accuracy_column = streamlit.columns(2)
    loss_column.plotly_chart(training_charts.history_curves(history, "loss", "Loss",
                                                            validation_label),
                             key=f"{key_prefix}-loss")
    accuracy_column.plotly_chart(training_charts.history_curves(history, "accuracy", "Accuracy",
                                                                validation_label),
                                 key=f"{key_prefix}-accuracy")


def show_outcome(run, key_prefix: str, accuracy_name: str = "test_accuracy") -> None:
    """The curves and headline numbers of a run (engine.run_cache.Run), finished or stopped."""
    draw_curves(run.history, key_prefix, "validation (test set)"
                if accuracy_name.startswith("test") else "validation")
    accuracy_column, time_column, parameters_column = streamlit.columns(3)
    label = accuracy_name.replace("_", " ")
    accuracy_column.metric(label if run.complete else f"{label} of the kept model",
                           f"{run.extras[accuracy_name]:.4f}")
    if run.complete:  # a stopped run has no full training time
        time_column.metric("training time", f"{run.extras['training_seconds']:.1f} s")
    parameters_column.metric("parameters", f"{run.extras['parameters']:,}")
