"""Lesson 7, part 5: fine-tuning the classifier the learner just trained, live and stoppable."""

import streamlit

from engine import fine_tuning
from engine import training
from engine import transfer
from ui import code
from ui import folder_data
from ui import training_view

SESSION_KEY = "transfer-fine-tuned"  # (settings, run): the latest only, it is a big model
LAST_STOP_KEY = "transfer-fine-tune-last"  # whose stopped model may be in the session


def show(prepared, image_size: int, seed: int, cut_name: str, cut_names: list,
         head_name: str, head_model, pictures, batch_size: int, pair_key: tuple) -> None:
    streamlit.header("5. Fine-tuning (optional)")
    streamlit.markdown(
        "The course ends with a hint: *some lower layers can be retrained*. Unlock the top "
        "blocks below the cut and train them together with the classifier, gently: "
        f"RMSprop at {fine_tuning.LEARNING_RATE:g}, ten times below the classifier's, and "
        "every BatchNormalization layer kept **locked and in inference mode**. A trainable "
        "BatchNormalization would swap the averages it learned on a million ImageNet "
        "pictures for those of a few small batches of ours, and the large updates that "
        "follow would wreck what the unlocked layers knew.")
    choices = fine_tuning.unfreeze_choices(cut_names, cut_name)
    if not choices:
        streamlit.info("There is no block below this cut to unlock: cut later to try it.",
                       icon=":material/lock:")
        return
    first_column, second_column = streamlit.columns(2, gap="large")
    unfreeze_after = first_column.selectbox(
        "unlock every layer after", choices, key="transfer-unfreeze-after",
        help=f"Up to the cut at {cut_name}. The nearest choice unlocks one block.")
    epochs = second_column.slider("fine-tuning epochs", 1, 5, fine_tuning.DEFAULT_EPOCHS,
                                  key="transfer-fine-tune-epochs")
    streamlit.caption(f"Starts from the classifier **{head_name}**. The stored features no "
                      "longer apply once the network changes, so every picture goes through "
                      "the network in every epoch: much slower than part 3.")
    code.show_code(transfer.fine_tuning_model, fine_tuning.network_copy,
                   fine_tuning.fine_tune)
    run_key = pair_key + (head_name, unfreeze_after, epochs)
    stored = streamlit.session_state.get(SESSION_KEY)
    run = stored[1] if stored and stored[0] == run_key else None
    partial_key = f"fine-tune-{abs(hash(run_key))}"
    if run is None and streamlit.button("Fine-tune", icon=":material/tune:",
                                        key="transfer-fine-tune"):
        data = folder_data.load(pictures, image_size, batch_size, seed)
        if data is None:
            return
        # A model stopped under other settings is let go: each holds a copy of the network.
        previous = streamlit.session_state.get(LAST_STOP_KEY)
        if previous is not None and previous != partial_key:
            training_view.forget_stopped_run(previous)
        streamlit.session_state[LAST_STOP_KEY] = partial_key
        run = training_view.train_live(partial_key, lambda on_epoch, on_batch, on_wait:
                                       fine_tuning.fine_tune(
                                           prepared, cut_name, head_model, unfreeze_after,
                                           data, epochs, on_epoch, on_batch), epochs)
        streamlit.session_state[SESSION_KEY] = (run_key, run)
    if run is not None:
        show_result(run.history, run.model, run.validation_accuracy_before, run.unlocked)
        return
    stopped = training_view.stopped_run(partial_key)
    if stopped is not None:
        history, model = stopped
        streamlit.warning(f"You stopped fine-tuning after {len(history.get('loss', []))} of "
                          f"{epochs} epochs: below is the model as it was then.",
                          icon=":material/stop_circle:")
        show_result(history, model, None, None)


def show_result(history: dict, model, accuracy_before, unlocked) -> None:
    training_view.draw_curves(history, "fine-tune")
    before_column, after_column, unlocked_column = streamlit.columns(3)
    if accuracy_before is not None:
        before_column.metric("validation accuracy before", f"{accuracy_before:.4f}")
    if history.get("val_accuracy"):
        after_column.metric("validation accuracy after", f"{history['val_accuracy'][-1]:.4f}",
                            delta=None if accuracy_before is None else
                            f"{history['val_accuracy'][-1] - accuracy_before:+.4f}")
    if unlocked is not None:
        unlocked_column.metric("parameters training", f"{unlocked.trainable:,}")
    streamlit.download_button("the fine-tuned model (.keras)",
                              lambda: training.model_file_bytes(model),
                              "transfer_learning_fine_tuned.keras",
                              icon=":material/download:", key="transfer-fine-tuned-download")
