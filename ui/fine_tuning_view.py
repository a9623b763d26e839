"""Lesson 7, part 5: fine-tuning the classifier the learner just trained, as a server job."""

import streamlit

from engine import caps
from engine import fine_tuning
from engine import take_home
from engine import take_home_scripts
from engine import training
from engine import transfer
from ui import code
from ui import job_view
from ui import training_view


def show(pair_settings, pair_complete: bool, cut_names: list, head_name: str) -> None:
    streamlit.header("5. Fine-tuning (optional)")
    streamlit.markdown(
        "The course ends with a hint: *some lower layers can be retrained*. Unlock the top "
        "blocks below the cut and train them together with the classifier, gently: "
        f"RMSprop at {fine_tuning.LEARNING_RATE:g}, ten times below the classifier's, and "
        "every BatchNormalization layer kept **locked and in inference mode**. A trainable "
        "BatchNormalization would swap the averages it learned on a million ImageNet "
        "pictures for those of a few small batches of ours, and the large updates that "
        "follow would wreck what the unlocked layers knew.")
    choices = fine_tuning.unfreeze_choices(cut_names, pair_settings.cut_layer)
    if not choices:
        streamlit.info("There is no block below this cut to unlock: cut later to try it.",
                       icon=":material/lock:")
        return
    if not pair_complete:
        streamlit.info("Train both classifiers to the end to fine-tune one of them.",
                       icon=":material/lock:")
        return
    first_column, second_column = streamlit.columns(2, gap="large")
    unfreeze_after = first_column.selectbox(
        "unlock every layer after", choices, key="transfer-unfreeze-after",
        help=f"Up to the cut at {pair_settings.cut_layer}. The nearest choice unlocks one "
             "block.")
    epochs = second_column.slider("fine-tuning epochs", 1,
                                  caps.most(fine_tuning.RUN_KIND, "epochs"),
                                  fine_tuning.DEFAULT_EPOCHS, key="transfer-fine-tune-epochs")
    second_column.caption(caps.sentence(fine_tuning.RUN_KIND))
    streamlit.caption(f"Starts from the classifier **{head_name}**. The stored features no "
                      "longer apply once the network changes, so every picture goes through "
                      "the network in every epoch: much slower than part 3.")
    code.show_code(transfer.fine_tuning_model, fine_tuning.network_copy,
                   fine_tuning.fine_tune)
    settings = fine_tuning.FineTuneSettings(pair_settings, head_name, unfreeze_after, epochs)
    run = job_view.train_or_show(
        fine_tuning.job(settings),
        lambda history: training_view.draw_curves(history, "fine-tune-live"),
        button_label="Fine-tune", key="transfer-fine-tune")
    if run is not None:
        show_result(run, pair_settings.pixel_scaling)


def show_result(run, pixel_scaling: str) -> None:
    training_view.draw_curves(run.history, "fine-tune")
    before_column, after_column, unlocked_column = streamlit.columns(3)
    before = run.extras.get("validation_accuracy_before")
    if before is not None:
        before_column.metric("validation accuracy before", f"{before:.4f}")
    if run.history.get("val_accuracy"):
        after = run.history["val_accuracy"][-1]
        after_column.metric("validation accuracy after", f"{after:.4f}",
                            delta=None if before is None else f"{after - before:+.4f}")
    unlocked_column.metric("parameters training", f"{run.extras['trainable_parameters']:,}")
    # The pictures' scaling goes into the file as its first layer, as for part 4's model.
    preparation = take_home_scripts.transfer_preparation(pixel_scaling)
    model_column, history_column = streamlit.columns(2)
    model_column.download_button("the fine-tuned model (.keras)",
                                 lambda: take_home.model_file_bytes(run.model, preparation),
                                 "transfer_learning_fine_tuned.keras",
                                 icon=":material/download:", key="transfer-fine-tuned-download")
    history_column.download_button("its history (.csv)", training.history_csv(run.history),
                                   "transfer_learning_fine_tuned_history.csv", mime="text/csv",
                                   icon=":material/download:", key="transfer-fine-tuned-history")
    streamlit.caption(preparation.note())
