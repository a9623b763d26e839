"""Lesson 7: Transfer learning. InceptionV3 trained on ImageNet, frozen, cut at mixed7, and
a new classifier on top, trained twice side by side: without and with Dropout."""

import streamlit as st

from engine import augment
from engine import cached
from engine import charts
from engine import downloads
from engine import recipes
from engine import training
from engine import transfer
from engine import transfer_features
from ui import code
from ui import fine_tuning_view
from ui import folder_data
from ui import own_pictures
from ui import transfer_choices

st.title("Transfer learning")
st.markdown(
    "Course 2 week 3, the heart of the classroom. Someone else trained **InceptionV3** for "
    "weeks on over a million ImageNet pictures. Its convolutions already know edges, "
    "textures, eyes and wheels. We **lock** those layers, **cut** the network at `mixed7`, "
    "and train only a small new classifier on top, on our few hundred pictures."
)

st.header("1. The pretrained network")
network_column, weights_column = st.columns(2, gap="large")
with network_column:
    names = list(transfer.BASES)
    default_base = transfer_choices.default_base()
    base_name = st.radio("network", names, index=names.index(default_base),
                         key="transfer-base",
                         help="MobileNet 0.25 is not in the course: 2 MB of weights and "
                              "forty times less arithmetic, for slow laptops.")
    if default_base != "InceptionV3":
        st.caption("InceptionV3's ImageNet weights are not in the data directory, so the "
                   "small MobileNet is chosen; pick InceptionV3 to download them (88 MB).")
    image_size = st.select_slider("picture size", [128, 150, 224], 150, key="transfer-size")
    seed = st.number_input("seed", 0, 2**31 - 1, 0, key="transfer-seed")
with weights_column:
    weights = transfer_choices.choose_weights(base_name, seed)
if weights is None:
    st.stop()
prepared = transfer_choices.prepared_base(base_name, weights, image_size, seed)
if prepared is None:
    st.stop()
code.show_code(recipes.inception_base if base_name == "InceptionV3" else recipes.mobilenet_base,
               recipes.freeze_layers)
before, after = prepared.before_freezing, prepared.after_freezing
st.dataframe([
    {"": "before freezing", "trainable": before.trainable, "non-trainable": before.non_trainable},
    {"": "after freezing", "trainable": after.trainable, "non-trainable": after.non_trainable},
], hide_index=True, width="stretch")
st.caption(f"Weights: {weights.description}. Locked: every one of the "
           f"{after.total:,} parameters stays as ImageNet left it.")

st.header("2. Where to cut")
points = transfer.cut_points(prepared)
cut_names = [point.layer_name for point in points]
cut_name = st.select_slider("cut after layer", cut_names,
                            transfer.base_choice(base_name).default_cut, key="transfer-cut")
st.dataframe([{"layer": point.layer_name, "output per picture": " x ".join(map(str,
               point.output_shape)), "numbers into Flatten": point.feature_count,
               "new head's parameters": point.head_parameters} for point in points],
             hide_index=True, width="stretch")
chosen = points[cut_names.index(cut_name)]
st.plotly_chart(charts.head_size_by_cut(cut_names, [point.head_parameters for point in points],
                                        cut_name), key="transfer-head-sizes")
st.markdown(
    f"Cutting at `{cut_name}` hands {chosen.feature_count:,} numbers per picture to the new "
    f"layers, so `Dense(1024)` alone has about {chosen.head_parameters / 1e6:.1f} million "
    "weights, trained on a few hundred pictures. That is why this head **overfits** so "
    "readily, and why the course adds Dropout.")
code.show_code(recipes.transfer_head_model)

st.header("3. Without and with Dropout, side by side")
choice_column, settings_column = st.columns(2, gap="large")
with choice_column:
    pictures = folder_data.choose("transfer")
    augmentation = transfer_choices.choose_augmentation()
    use_augmentation = augmentation is not None
    views = st.select_slider("augmented views kept per picture", [2, 4, 8], 4,
                             key="transfer-views", disabled=not use_augmentation)
with settings_column:
    dropout_rate = st.select_slider("dropout rate", [0.1, 0.2, 0.3, 0.5], 0.2,
                                    key="transfer-dropout")
    epochs = st.slider("epochs", 1, 40, 20, key="transfer-epochs")
    batch_size = st.select_slider(
        "batch size", [10, 20, 32, 50, 64, 100], transfer_features.DEFAULT_BATCH_SIZE,
        key="transfer-batch",
        help="The course's generators give batches of 20. Larger batches train the same "
             "classifiers in fewer steps: measured here, 50 reached the same validation "
             "accuracy as 20 (within a point) in 40% less time per epoch.")
transfer_choices.show_augmentation_code(augmentation)

if pictures is None:
    st.stop()
run_key = ("transfer", base_name, weights.identity, image_size, cut_name, pictures.dataset_id,
           augmentation, views if use_augmentation else 0, dropout_rate, epochs,
           batch_size, seed)
store = cached.transfer_store()
# One stopped pair per learner, kept with its settings: a pair after mixed7 holds hundreds
# of megabytes, so stopping under new settings replaces the last one.
stopped = st.session_state.get("transfer-stopped")
paired = store.get(run_key) or (stopped[1] if stopped and stopped[0] == run_key else None)
if paired is None:
    st.info("A frozen network gives the same numbers for a picture in every epoch, so they "
            "are computed **once** and kept on disk; both classifiers then train on them. "
            "Press the button: the first time takes a minute or two.",
            icon=":material/bolt:")
    if not st.button("Compute features and train both", type="primary",
                     icon=":material/play_arrow:", key="transfer-train"):
        st.stop()
    st.button("Stop training", icon=":material/stop_circle:", key="transfer-stop")
    progress = st.progress(0.0, text="Computing features...")
    curves = st.empty()
    try:
        features = transfer_features.cached_features(
            pictures.dataset_id, base_name, weights, cut_name, image_size,
            augment.augmentation_layers(augmentation, seed=seed) if use_augmentation else None,
            views if use_augmentation else 0, seed,
            on_progress=lambda done, total: progress.progress(
                done / total, text=f"Features: {done} of {total} pictures"),
            on_wait=lambda: st.info("Another learner is computing these features; waiting."),
            folders=None if pictures.dataset_key else (pictures.training_folder,
                                                        pictures.validation_folder),
            prepared=prepared)
    except downloads.MissingDataError as problem:
        st.error(str(problem), icon=":material/cloud_off:")
        st.stop()
    except ValueError as problem:  # for example a zip with too few pictures per class
        st.error(str(problem), icon=":material/folder_off:")
        st.stop()

    described = features.without_numbers()  # what is kept beside the pair

    def on_epoch(run):
        st.session_state["transfer-stopped"] = (run_key, (described, run, {}))
        progress.progress(run.epochs_done / epochs,
                          text=f"Epoch {run.epochs_done} of {epochs}, both classifiers")
        curves.plotly_chart(charts.gap_comparison(run.histories),
                            key=f"transfer-live-{run.epochs_done}")

    run = transfer_features.train_paired(
        features.training_features, features.training_labels, features.validation_features,
        features.validation_labels, epochs, batch_size, dropout_rate, seed, on_epoch=on_epoch)
    store.put(run_key, (described, run, {}))  # {}: the course models made from it
    st.session_state.pop("transfer-stopped", None)
    progress.empty()
    curves.empty()
    st.rerun()

features, run, course_models = paired
if run.epochs_done < epochs:
    st.warning(f"Stopped after {run.epochs_done} of {epochs} epochs: below is what both "
               "classifiers had learned by then.", icon=":material/stop_circle:")
    if st.button("Train both again", icon=":material/replay:", key="transfer-retrain"):
        st.session_state.pop("transfer-stopped", None)
        st.rerun()
class_count = len(features.class_names)
st.caption(f"Classes: {', '.join(features.class_names)}, so the last layer is "
           + ("`Dense(1, activation='sigmoid')` with binary cross-entropy." if class_count == 2
              else f"`Dense({class_count}, activation='softmax')` with categorical "
                   "cross-entropy, as the course does for rock, paper, scissors."))
st.caption(f"Features: {features.augmentation}. "
           f"{'Loaded from disk' if features.from_disk else 'Computed'} in "
           f"{features.seconds:.1f} s; both classifiers trained in {run.seconds:.1f} s.")
st.plotly_chart(charts.gap_comparison(run.histories), key="transfer-compare")
st.dataframe([{"classifier": name, "final training accuracy": history["accuracy"][-1],
               "final validation accuracy": history["val_accuracy"][-1],
               "best validation accuracy": max(history["val_accuracy"]),
               "gap (training - validation)": history["accuracy"][-1]
               - history["val_accuracy"][-1]} for name, history in run.histories.items()],
             hide_index=True, width="stretch")
st.markdown(
    "**Why dropout helps**, in the course's words: neighbouring neurons often end up with "
    "similar weights, which can lead to overfitting, so dropping some out at random can "
    "remove this; and a neuron can over-weigh the input from a neuron in the previous layer "
    "and over-specialise, which dropping out breaks. Compare the shaded gaps above: the "
    "smaller the gap, the less the classifier learned its training pictures by heart.")
st.header("4. Your own pictures, and the model to take home")
chosen_head = st.radio("classifier", list(run.models), horizontal=True, key="transfer-head")
# The course's Model(pre_trained_model.input, x) on the trained head's own layers; kept with
# its pair (it costs no memory of its own), so it cannot push a pair out of the store.
course_key = (chosen_head, run.epochs_done)
if course_key not in course_models:
    course_models[course_key] = transfer.full_model(prepared, cut_name, run.models[chosen_head])
course_model = course_models[course_key]
own_pictures.classify("transfer-predict", image_size,
                      lambda pictures: transfer.predict_pictures(course_model, base_name,
                                                                 pictures),
                      features.class_names)
st.download_button("the model (.keras)", lambda: training.model_file_bytes(course_model),
                   "transfer_learning.keras", icon=":material/download:")
st.download_button("the comparison (.csv)", training.history_csv(
    {f"{name}: {metric}": values for name, history in run.histories.items()
     for metric, values in history.items()}),
                   "dropout_comparison.csv", icon=":material/download:")
st.caption("The camera icon above the chart saves it as a PNG.")

fine_tuning_view.show(prepared, image_size, seed, cut_name, cut_names, chosen_head,
                      run.models[chosen_head], pictures, batch_size, run_key)
