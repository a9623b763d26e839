"""Lesson 7: Transfer learning. InceptionV3 trained on ImageNet (MobileNet 0.25 where only its
weights are here), frozen, cut at mixed7, and a new classifier on top, trained twice side by
side: without and with Dropout."""

import dataclasses

import streamlit as st

from engine import caps
from engine import charts
from engine import dropout_gaps
from engine import dropout_pair
from engine import frozen_base
from engine import recipes
from engine import take_home
from engine import training_charts
from engine import transfer
from engine import transfer_scripts
from ui import code
from ui import job_view
from ui import own_pictures
from ui import picture_choice
from ui import projector
from ui import shared_caches
from ui import tables
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import transfer_learning_choices
from ui import transfer_learning_fine_tuning
from ui import understanding

st.title("Transfer learning")
projector.narrative(
    "Course 2 week 3, the heart of the classroom. Someone else trained **InceptionV3** for "
    "weeks on over a million ImageNet pictures. Its convolutions already know edges, "
    "textures, eyes and wheels. We **lock** those layers, **cut** the network at `mixed7`, "
    "and train only a small new classifier on top, on our few hundred pictures."
)

st.header("1. The pretrained network")
LINK = transfer_learning_choices.link()
LINK.start()
network_column, weights_column = st.columns(2, gap="large")
with network_column:
    base_name = LINK.control("network", st.radio, "network", list(transfer.BASES),
                             help="MobileNet 0.25 is not in the course: 2 MB of weights and "
                                  "forty times less arithmetic, for slow laptops.")
    if LINK.defaults["network"] != "InceptionV3":
        st.caption("InceptionV3's ImageNet weights are not in the data directory, so the "
                   "small MobileNet is chosen; pick InceptionV3 to download them (88 MB).")
    image_size = LINK.control("picture_size", st.select_slider, "picture size",
                              transfer_learning_choices.LINK_OPTIONS["picture_size"])
    pixel_scaling = transfer_learning_choices.choose_scaling(LINK, base_name)
    seed = LINK.control("seed", st.number_input, "seed",
                        *transfer_learning_choices.LINK_OPTIONS["seed"])
with weights_column:
    weights = transfer_learning_choices.choose_weights(LINK, base_name, seed)
if weights is None:
    st.stop()
frozen = transfer_learning_choices.frozen_network_or_say_why(base_name, weights, image_size,
                                                             seed)
if frozen is None:
    st.stop()
code.show_code(recipes.inception_base if base_name == "InceptionV3" else recipes.mobilenet_base,
               recipes.freeze_layers)
before, after = frozen.before_freezing, frozen.after_freezing
tables.show([
    {"": "before freezing", "trainable": before.trainable, "non-trainable": before.non_trainable},
    {"": "after freezing", "trainable": after.trainable, "non-trainable": after.non_trainable},
], hide_index=True, width="stretch")
st.caption(f"Weights: {weights.description}. Locked: every one of the "
           f"{after.total:,} parameters stays as ImageNet left it.")
transfer_learning_choices.show_scaling(pixel_scaling)

st.header("2. Where to cut")
points = frozen_base.cut_points(frozen)
cut_layer_names = [point.layer_name for point in points]
transfer_learning_choices.keep_cut_on_its_network(base_name, cut_layer_names)
cut_layer_name = LINK.control("cut", st.select_slider, "cut after layer", cut_layer_names)
tables.show([{"layer": point.layer_name, "output per picture": " x ".join(map(str,
              point.output_shape)), "numbers into Flatten": point.feature_count,
              "new head's parameters": point.head_parameters} for point in points],
            hide_index=True, width="stretch")
chosen = points[cut_layer_names.index(cut_layer_name)]
st.plotly_chart(charts.head_size_by_cut(cut_layer_names,
                                        [point.head_parameters for point in points],
                                        cut_layer_name), key="transfer-head-sizes")
projector.narrative(
    f"Cutting at `{cut_layer_name}` hands {chosen.feature_count:,} numbers per picture to the "
    f"new layers, so `Dense(1024)` alone has about {chosen.head_parameters / 1e6:.1f} million "
    "weights, trained on a few hundred pictures. That is why this head **overfits** so "
    "readily, and why the course adds Dropout.")
st.markdown("The course builds one model from pictures to prediction:")
code.show_code(recipes.transfer_head_model, runs=False,
               caption="The course's form. The classroom trains the same new layers "
               "(`classifier_head`, below) on the cut layer's stored features, then puts "
               "them back on the network for the model you take home.")
code.show_code(recipes.classifier_head, frozen_base.feature_extractor,
               recipes.feature_head_model, dropout_pair.train_paired, frozen_base.full_model)

st.header("3. Without and with Dropout, side by side")
choice_column, settings_column = st.columns(2, gap="large")
with choice_column:
    pictures = picture_choice.choose("transfer", link=LINK)
    augmentation = transfer_learning_choices.choose_augmentation(LINK)
    use_augmentation = augmentation is not None
    views = LINK.control("views", st.select_slider, "augmented views kept per picture",
                         transfer_learning_choices.LINK_OPTIONS["views"],
                         disabled=not use_augmentation)
with settings_column:
    dropout_rate = LINK.control("dropout_rate", st.select_slider, "dropout rate",
                                transfer_learning_choices.LINK_OPTIONS["dropout_rate"])
    epochs = LINK.control("epochs", st.slider, "epochs",
                          *transfer_learning_choices.LINK_OPTIONS["epochs"])
    batch_size = LINK.control(
        "batch_size", st.select_slider, "batch size",
        transfer_learning_choices.LINK_OPTIONS["batch_size"],
        help="The course's generators give batches of 20. Larger batches train the same "
             "classifiers in fewer steps: measured here, 50 reached the same validation "
             "accuracy as 20 (within a point) in 40% less time per epoch.")
    st.caption(caps.sentence(dropout_pair.RUN_KIND))
    # One option for the lesson: the pair and part 5's fine-tuning both write logs.
    tensorboard = tensorboard_option.checkbox(LINK)
transfer_learning_choices.show_augmentation_code(augmentation, pixel_scaling)
transfer_learning_choices.write_link(LINK, base_name, cut_layer_name, pixel_scaling)
teacher_panel.show(LINK)

if pictures is None:
    st.stop()
pair_settings = dropout_pair.PairSettings(
    base_name=base_name, weights_identity=weights.identity,
    weights_path=str(weights.path) if weights.path else None, image_size=image_size,
    pixel_scaling=pixel_scaling, cut_layer_name=cut_layer_name, dataset=pictures.dataset_id,
    training_folder=pictures.training_folder, validation_folder=pictures.validation_folder,
    augmentation=tuple(dataclasses.asdict(augmentation).items()) if use_augmentation else (),
    views=views if use_augmentation else 0, dropout_rate=dropout_rate, epochs=epochs,
    batch_size=batch_size, seed=seed, tensorboard=tensorboard)
pair_job = dropout_pair.job(pair_settings)
st.caption("A frozen network gives the same numbers for a picture in every epoch, so they are "
           "computed **once** and kept on disk; both classifiers then train on them. The "
           "first time takes a minute or two.")
run = job_view.train_or_show(
    pair_job, lambda history: st.plotly_chart(training_charts.comparison_curves(
        dropout_pair.histories(history), "accuracy", training_charts.GAP_SHADED_TITLE,
        gap_shaded=True), key="transfer-live"),
    button_label="Compute features and train both", key="transfer-train")
if run is None:
    understanding.stop_before_run("transfer-learning")
histories = dropout_pair.histories(run.history)
features = run.extras
class_count = len(features["class_names"])
st.caption(f"Classes: {', '.join(features['class_names'])}, so the last layer is "
           + ("`Dense(1, activation='sigmoid')` with binary cross-entropy." if class_count == 2
              else f"`Dense({class_count}, activation='softmax')` with categorical "
                   "cross-entropy, as the course does for rock, paper, scissors."))
st.caption(f"Pixel scaling of these features: "
           f"{transfer.pixel_scaling(features['pixel_scaling']).title}. "
           f"Features: {features['features_how']}. "
           f"{'Loaded from disk' if features['features_from_disk'] else 'Computed'} in "
           f"{features['features_seconds']:.1f} s; both classifiers trained in "
           f"{features['training_seconds']:.1f} s.")
st.plotly_chart(training_charts.comparison_curves(histories, "accuracy",
                                                  training_charts.GAP_SHADED_TITLE,
                                                  gap_shaded=True), key="transfer-compare")
tensorboard_option.show_logs(pair_settings)
final_gaps = dropout_gaps.final_gaps(histories)
tables.show([{"classifier": name, "final training accuracy": gap.training_accuracy,
              "final validation accuracy": gap.validation_accuracy,
              "best validation accuracy": max(histories[name]["val_accuracy"]),
              "gap (training - validation)": gap.gap} for name, gap in final_gaps.items()],
            hide_index=True, width="stretch", column_config={
                column: st.column_config.NumberColumn(format="%.4f") for column in (
                    "final training accuracy", "final validation accuracy",
                    "best validation accuracy", "gap (training - validation)")})
if len(final_gaps) == 2:  # a run stopped in its first epoch may lack the second classifier
    st.markdown(dropout_gaps.verdict(histories, pair_settings.dropout_rate))
projector.narrative(
    "**Why dropout helps**, in the course's words: neighbouring neurons often end up with "
    "similar weights, which can lead to overfitting, so dropping some out at random can "
    "remove this; and a neuron can over-weigh the input from a neuron in the previous layer "
    "and over-specialise, which dropping out breaks. Compare the shaded gaps above: the "
    "smaller the gap, the less the classifier learned its training pictures by heart.")
st.header("4. Your own pictures, and the model to take home")
chosen_head = st.radio("classifier", list(run.model), horizontal=True, key="transfer-head")
course_model = shared_caches.course_model(pair_job.key, run.complete, chosen_head, frozen,
                                          cut_layer_name, run.model[chosen_head])
own_pictures.classify("transfer-predict", image_size,
                      lambda pictures: transfer.predict_pictures(
                          course_model, base_name, pictures, features["pixel_scaling"]),
                      features["class_names"])
take_it_with_you.offer(take_home.TakeHome(
    "transfer_learning", course_model,
    transfer_scripts.transfer_preparation(features["pixel_scaling"]), run.history,
    transfer_scripts.transfer_script(pair_settings, chosen_head, features["class_names"],
                                     with_dropout=chosen_head == dropout_pair.WITH_DROPOUT),
    history_file="dropout_comparison.csv", history_label="comparison (.csv)"),
    "transfer-take-home")
st.caption("The camera icon above the chart saves it as a PNG.")

transfer_learning_fine_tuning.show(LINK, pair_settings, run.complete, cut_layer_names,
                                   chosen_head, features["class_names"])

understanding.section("transfer-learning", run)
