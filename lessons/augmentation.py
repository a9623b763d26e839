"""Lesson 6: Augmentation. The course's ImageDataGenerator arguments as sliders, a preview
made by the very layers training uses, the code in both dialects, and a fair experiment:
the same convnet trained with and without augmentation."""

import dataclasses

import streamlit as st

from engine import augment
from engine import caps
from engine import picture_charts
from engine import real_world
from engine import recipes
from engine import take_home
from engine import take_home_scripts
from engine import training_charts
from ui import between_lessons
from ui import code
from ui import job_view
from ui import layer_viewer
from ui import picture_choice
from ui import projector
from ui import shared_caches
from ui import tables
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import training_view
from ui import understanding
from ui import url_state

COURSE = augment.COURSE_SETTINGS
NONE = augment.NO_AUGMENTATION
EXPERIMENT = real_world.AUGMENTATION_EXPERIMENT  # the pair python -m engine.prepare trains
# The course's two augmentation lessons: the pictures both runs of the experiment train on.
EXPERIMENT_TITLES = {"cats_and_dogs_filtered": "Cats vs dogs",
                     "horse-or-human": "Horses or humans"}
# The course's video "Exploring augmentation with horses vs. humans" (course 2, week 2), told
# in our words: what its horses-or-humans run shows, and why.
HORSES_NOTE = (
    "**Why augmentation does not help here.** In the course (course 2, week 2, *Exploring "
    "augmentation with horses vs. humans*), Laurence Moroney trains horses or humans with "
    "augmentation for 100 epochs: training accuracy climbs steadily, validation accuracy "
    "keeps step at first, then varies wildly. Augmentation, he says, is no magic bullet "
    "against overfitting: a great variety of pictures is what helps. Here the pictures are "
    "still too few and too alike, and the validation set may be poorly designed: its "
    "pictures are too close to the training pictures as they come (the humans nearly "
    "always stand upright in the middle of the picture, in both sets), so augmenting a "
    "training picture makes it look like nothing the validation set holds. A broad set of "
    "pictures is needed to validate on too, or augmentation will not help much.")
# Each augmented picture of the preview, in screen pixels: what a turn or a shear did stays
# visible from the back of a room (and fits three a row beside the controls at 1280 x 720).
PREVIEW_PIXELS = 160
# The course's ImageDataGenerator arguments and the experiment's epochs, as a link carries
# them. The shift, zoom and shear sliders move in steps: a link offers only their values.
LINK = url_state.Link.with_prefix(
    "augmentation", {**dataclasses.asdict(COURSE), "epochs": EXPERIMENT.epochs,
                     "dataset": "cats_and_dogs_filtered", "tensorboard": False,
                     "experiment": EXPERIMENT.dataset},
    {"rotation_range": (0, 180), "width_shift_range": (0.0, 0.9, 0.05),
     "height_shift_range": (0.0, 0.9, 0.05), "shear_range": (0.0, 60.0, 0.1),
     "zoom_range": (0.0, 0.9, 0.05), "fill_mode": list(augment.FILL_MODES),
     "epochs": (2, caps.most(real_world.RUN_KIND, "epochs")),
     "dataset": {dataset: title for title, dataset in picture_choice.COURSE_DATASETS.items()},
     "experiment": EXPERIMENT_TITLES},
    "augment-")

st.title("Augmentation")
projector.narrative(
    "Course 2 week 2. With few pictures, a convnet soon learns them by heart. "
    "**Augmentation** shows it each picture a little differently every epoch (turned, "
    "shifted, sheared, zoomed, mirrored), in memory, without storing a single new file."
)


LINK.start()

st.header("1. The course's arguments")
# The preview takes two thirds: three augmented pictures a row at PREVIEW_PIXELS each.
controls_column, preview_column = projector.controls_and_display([1, 2])
with controls_column:
    # One above the other: side by side in a third of the page, their labels were cut to
    # "The course's..." and "No augment...".
    st.button("The course's values", on_click=LINK.use_settings, args=(COURSE,),
              key="aug-course", width="stretch")
    st.button("No augmentation", on_click=LINK.use_settings, args=(NONE,), key="aug-none",
              width="stretch")
    settings = augment.AugmentSettings(
        rescale=LINK.control("rescale", st.checkbox, "rescale=1./255"),
        rotation_range=LINK.control("rotation_range", st.slider, "rotation_range (degrees)",
                                    0, 180),
        width_shift_range=LINK.control("width_shift_range", st.slider, "width_shift_range",
                                       0.0, 0.9, step=0.05),
        height_shift_range=LINK.control("height_shift_range", st.slider, "height_shift_range",
                                        0.0, 0.9, step=0.05),
        shear_range=LINK.control("shear_range", st.slider, "shear_range (degrees)", 0.0, 60.0,
                                 step=0.1),
        zoom_range=LINK.control("zoom_range", st.slider, "zoom_range", 0.0, 0.9, step=0.05),
        horizontal_flip=LINK.control("horizontal_flip", st.checkbox, "horizontal_flip"),
        fill_mode=LINK.control("fill_mode", st.selectbox, "fill_mode", augment.FILL_MODES),
    )
# Lesson 7 offers these settings for its training pictures.
between_lessons.keep_augmentation(settings)
with preview_column:
    choice = picture_choice.choose("augment", default="Cats vs dogs (filtered)",
                                   allow_upload=False, link=LINK)
    data = picture_choice.load(choice, 150, 32, 0) if choice else None
    if data is not None:
        pictures, names = real_world.first_batch(data)
        picture_number = st.slider("picture", 0, len(pictures) - 1, 0, key="augment-picture")
        seed = st.session_state.setdefault("augment-seed", 0)
        if st.button("Re-roll", icon=":material/casino:", key="augment-reroll"):
            seed = st.session_state["augment-seed"] = seed + 1
        grid = shared_caches.augment_preview(pictures[picture_number], settings, count=9, seed=seed)
        st.plotly_chart(picture_charts.picture_grid(
            grid, [f"draw {index + 1}" for index in range(len(grid))], columns=3, font_size=14,
            tile_pixels=PREVIEW_PIXELS, colour=True), key="augment-preview", width="content")
        st.caption(f"Nine random draws (seed {seed}) of one picture from the "
                   f"{names[picture_number]} folder, made "
                   "by the same Keras layers the training below uses.")
        with projector.code_expander("The code that makes the preview"):
            code.show_code(augment.augmentation_model, augment.augmentation_layers)

st.header("2. The same settings in both dialects")
old_column, new_column = st.columns(2)
old_column.markdown("**The course (Keras 2):** `ImageDataGenerator`")
old_column.code(augment.image_data_generator_code(settings), language="python")
new_column.markdown("**Keras 3:** preprocessing layers")
new_column.code(augment.keras3_layers_code(settings), language="python")

st.subheader("Do we augment validation data?")
projector.narrative(augment.VALIDATION_NOTE)
validation_old, validation_new = st.columns(2)
validation_old.code(augment.validation_pipeline_code(settings, "image_data_generator"),
                    language="python")
validation_new.code(augment.validation_pipeline_code(settings, "keras3"), language="python")

st.header("3. With and without, side by side")
experiment_title = LINK.control("experiment", st.radio, "the pictures both runs train on",
                                list(EXPERIMENT_TITLES.values()), horizontal=True)
experiment_dataset = next(dataset for dataset, title in EXPERIMENT_TITLES.items()
                          if title == experiment_title)
experiment_epochs = LINK.control("epochs", st.slider, "epochs for each run", 2,
                                 caps.most(real_world.RUN_KIND, "epochs"))
st.caption(caps.sentence(real_world.RUN_KIND))
tensorboard = tensorboard_option.checkbox(LINK)
LINK.write()
teacher_panel.show(LINK)
plain_job, augmented_job = real_world.augmentation_jobs(settings, experiment_epochs, tensorboard,
                                                        experiment_dataset)
experiment = plain_job.settings
lesson_words = {"cats_and_dogs_filtered": "The course's overfitting picture on cats vs dogs",
                "horse-or-human": "The course's second look, on horses or humans"}
projector.narrative(
    f"{lesson_words[experiment_dataset]}: the same convnet "
    f"({experiment.conv_blocks} blocks, {experiment.image_size} x {experiment.image_size}, "
    f"{experiment.epochs} epochs), the **same seed**, so the same starting weights and the "
    "same order of batches. Only the training pictures differ: as they are, or augmented "
    "with the settings above.")
if experiment_dataset == "horse-or-human":
    st.info(HORSES_NOTE, icon=":material/school:")
st.caption(augment.rescaling_note(settings))
with projector.code_expander("The code that trains both runs"):
    code.show_code(recipes.real_world_model, real_world.train_real_world,
                   augment.augmentation_layers)
experiment_data = picture_choice.load(picture_choice.Choice(experiment_title, experiment_dataset,
                                                            dataset_key=experiment_dataset),
                                   EXPERIMENT.image_size, EXPERIMENT.batch_size, EXPERIMENT.seed)
if experiment_data is None:
    st.stop()
plain_outcome = job_view.train_or_show(
    plain_job, lambda history: training_view.draw_curves(
        history, "plain-live"), button_label="Train without augmentation", key="train-plain")
augmented_outcome = job_view.train_or_show(
    augmented_job, lambda history: training_view.draw_curves(
        history, "augmented-live"), button_label="Train with augmentation",
    key="train-augmented")
outcomes = {"without": plain_outcome, "with augmentation": augmented_outcome}
finished = {name: outcome for name, outcome in outcomes.items() if outcome is not None}
if not finished:
    understanding.stop_before_run("augmentation", outcomes)
st.plotly_chart(training_charts.comparison_curves(
    {name: outcome.history for name, outcome in finished.items()}, "accuracy",
    training_charts.GAP_SHADED_TITLE, gap_shaded=True), key="augment-compare")
tables.show([{"run": name,
              "final training accuracy": outcome.history["accuracy"][-1],
              "final validation accuracy": outcome.history["val_accuracy"][-1],
              "gap (training - validation)": outcome.history["accuracy"][-1]
              - outcome.history["val_accuracy"][-1]}
             for name, outcome in finished.items()], hide_index=True, width="stretch")
st.caption("A large gap is overfitting: the model does much better on pictures it has seen. "
           + ("Augmentation usually narrows it, at the price of slower learning."
              if experiment_dataset == "cats_and_dogs_filtered" else
              "On horses or humans augmentation need not narrow it: the note above says why."))
for name, job, run_name in (("without", plain_job, "without augmentation"),
                            ("with augmentation", augmented_job, "with augmentation")):
    if name in finished:
        tensorboard_option.show_logs(job.settings, run_name)

st.subheader("Looking inside: what each layer makes of a picture")
projector.narrative("Course 2 week 1 looks inside the cats-vs-dogs convnet: what every "
                    "convolution and pooling layer makes of one picture, here one of "
                    f"{experiment_title.lower()}.")
looked_at = st.radio("the run to look inside", list(finished), horizontal=True,
                     key="augment-inside-run")
inside_pictures, inside_names = real_world.first_batch(experiment_data)
layer_viewer.show(finished[looked_at], inside_pictures, inside_names,
                  real_world.model_inputs, "augment-inside", with_summary=True)

st.header("4. Take it with you")
for title, file_stem, finished_job, outcome in (
        ("without augmentation", "augmentation_without", plain_job, plain_outcome),
        ("with augmentation", "augmentation_with", augmented_job, augmented_outcome)):
    if outcome is None:
        continue
    st.markdown(f"**The run {title}**")
    take_it_with_you.offer(take_home.TakeHome(
        file_stem, outcome.model, None, outcome.history,
        take_home_scripts.real_world_script(finished_job.settings,
                                            outcome.extras["class_names"], file_stem),
        inputs=take_home_scripts.REAL_WORLD_INPUTS), f"{file_stem}-take-home")

understanding.section("augmentation", outcomes)
