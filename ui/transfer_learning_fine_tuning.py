"""Lesson 7, part 5: fine-tuning the classifier the learner just trained, as a server job."""

import streamlit as st

from engine import caps
from engine import fine_tuning
from engine import frozen_base
from engine import recipes
from engine import take_home
from engine import transfer_scripts
from ui import code
from ui import job_view
from ui import take_it_with_you
from ui import tensorboard_option
from ui import training_view
from ui import transfer_learning_choices


def show(link, pair_settings, pair_complete: bool, cut_layer_names: list, head_name: str,
         class_names: list) -> None:
    """Part 5 for the finished pair of `pair_settings` (engine.dropout_pair.PairSettings,
    its `tensorboard` option too): the choices, the job, then the result and its downloads.
    `link`: the lesson's ui.url_state.Link, which carries part 5's two choices too;
    `cut_layer_names`: where the network can be cut; `class_names`: the pair's classes."""
    st.header("5. Fine-tuning (optional)")
    st.markdown(
        "The course ends with a hint: *some lower layers can be retrained*. Unlock the top "
        "blocks below the cut and train them together with the classifier, gently: "
        f"RMSprop at {fine_tuning.LEARNING_RATE:g}, ten times below the classifier's, and "
        "every BatchNormalization layer kept **locked and in inference mode**. A trainable "
        "BatchNormalization would swap the averages it learned on a million ImageNet "
        "pictures for those of a few small batches of ours, and the large updates that "
        "follow would wreck what the unlocked layers knew.")
    choices = fine_tuning.unfreeze_choices(cut_layer_names, pair_settings.cut_layer_name)
    if not choices:
        st.info("There is no block below this cut to unlock: cut later to try it.",
                icon=":material/lock:")
        return
    if not pair_complete:
        st.info("Train both classifiers to the end to fine-tune one of them.",
                icon=":material/lock:")
        return
    first_column, second_column = st.columns(2, gap="large")
    # A link's "" (or a block of another cut) means the nearest block. Streamlit forgets a
    # control it did not draw in a run, so part 5's come back to their defaults.
    if st.session_state.get(link.keys["unfreeze_after"]) not in choices:
        st.session_state[link.keys["unfreeze_after"]] = choices[0]
    st.session_state.setdefault(link.keys["fine_tuning_epochs"],
                                link.defaults["fine_tuning_epochs"])
    with first_column:  # inside the column, so a lock's note sits under its control
        unfreeze_after = link.control(
            "unfreeze_after", st.selectbox, "unfreeze (unlock) every layer after", choices,
            help=f"Up to the cut at {pair_settings.cut_layer_name}. The nearest choice "
                 "unlocks one block.")
    with second_column:
        epochs = link.control("fine_tuning_epochs", st.slider, "fine-tuning epochs",
                              *transfer_learning_choices.LINK_OPTIONS["fine_tuning_epochs"])
        st.caption(caps.sentence(fine_tuning.RUN_KIND))
    st.caption(f"Starts from the classifier **{head_name}**. The stored features no "
               "longer apply once the network changes, so every picture goes through "
               "the network in every epoch: much slower than part 3.")
    code.show_code(frozen_base.fine_tuning_model, recipes.unfreeze_top_layers,
                   fine_tuning.network_copy, fine_tuning.fine_tune)
    settings = fine_tuning.FineTuneSettings(pair_settings, head_name, unfreeze_after, epochs,
                                            tensorboard=pair_settings.tensorboard)
    run = job_view.train_or_show(
        fine_tuning.job(settings),
        lambda history: training_view.draw_curves(history, "fine-tune-live"),
        button_label="Fine-tune", key="transfer-fine-tune")
    if run is not None:
        show_result(run, settings, class_names)


def show_result(run, settings, class_names: list) -> None:
    """The fine-tuned run of `settings` (engine.fine_tuning.FineTuneSettings): its curves,
    validation accuracy before and after, and what to take home."""
    training_view.draw_curves(run.history, "fine-tune")
    before_column, after_column, unlocked_column = st.columns(3)
    before = run.extras.get("validation_accuracy_before")
    if before is not None:
        before_column.metric("validation accuracy before", f"{before:.4f}")
    if run.history.get("val_accuracy"):
        after = run.history["val_accuracy"][-1]
        after_column.metric("validation accuracy after", f"{after:.4f}",
                            delta=None if before is None else f"{after - before:+.4f}")
    unlocked_column.metric("parameters training", f"{run.extras['trainable_parameters']:,}")
    tensorboard_option.show_logs(settings, "that fine-tunes")
    # The pictures' scaling goes into the file as its first layer, as for part 4's model.
    take_it_with_you.offer(take_home.TakeHome(
        "transfer_learning_fine_tuned", run.model,
        transfer_scripts.transfer_preparation(settings.pair.pixel_scaling), run.history,
        transfer_scripts.fine_tuning_script(settings, class_names),
        model_label="the fine-tuned model (.keras)", history_label="its history (.csv)",
        quick_try="--epochs 1 --fine-tuning-epochs 1"), "transfer-fine-tuned")
