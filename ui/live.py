"""Running a training routine once per settings, with a progress bar and a live chart,
and reusing the result (for every learner on this server) when the settings come again."""

import streamlit

from engine import cached


def run_once(key, train, draw_progress, total_epochs: int):
    """Return the stored result for `key`, or call `train(on_progress)` while showing
    progress. `draw_progress(history)` returns a figure of the run so far."""
    store = cached.result_store()
    result = store.get(key)
    if result is not None:
        return result
    progress_bar = streamlit.progress(0.0, text="Training...")
    live_chart = streamlit.empty()

    def on_progress(history):
        done = history.epochs_done
        progress_bar.progress(min(1.0, done / total_epochs),
                              text=f"Training: epoch {done} of {total_epochs}")
        live_chart.plotly_chart(draw_progress(history), key=f"live-{abs(hash(key))}-{done}")

    result = train(on_progress)
    progress_bar.empty()
    live_chart.empty()
    store.put(key, result)
    return result
