"""Lesson 5: Real-world images. Pictures in class folders, the course's horses-or-humans
convnet, binary against multiclass, and what it says about your own pictures."""

import streamlit as st

from engine import caps
from engine import image_folders
from engine import picture_charts
from engine import real_world
from engine import recipes
from engine import take_home
from engine import take_home_scripts
from ui import code
from ui import layer_viewer
from ui import own_pictures
from ui import picture_choice
from ui import projector
from ui import tables
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import training_view
from ui import understanding
from ui import url_state

CLASSROOM = real_world.default_job().settings
BATCH_TILE_PIXELS = 130  # screen pixels per picture of the batch grid
OPTIONS = {"image_size": [100, 150, 300], "conv_blocks": [3, 4, 5],
           "epochs": (1, caps.most(real_world.RUN_KIND, "epochs")),
           "batch_size": [16, 32, 64, 128], "learning_rate": [0.0001, 0.0005, 0.001, 0.002],
           "seed": (0, 2**31 - 1)}
LINK = url_state.Link(
    "real-world-images", {"dataset": CLASSROOM.dataset, **{name: getattr(CLASSROOM, name)
                                                           for name in OPTIONS},
                          "tensorboard": False},
    {"dataset": {dataset: title for title, dataset in picture_choice.COURSE_DATASETS.items()},
     **OPTIONS}, {"dataset": "real-dataset", **{name: f"real-{name}" for name in OPTIONS},
                  "tensorboard": "real-tensorboard"})

st.title("Real-world images")
projector.narrative(
    "Course 1 week 4 and course 2 week 1. Real pictures are bigger, in colour, and the "
    "subject can be anywhere in them. They usually arrive as **one folder per class**: "
    "the folder names become the labels, in alphabetical order."
)

url_state.keep_settings([f"real-{name}" for name in [*OPTIONS, "tensorboard"]])
LINK.start()
st.header("1. Folders become labels")
choice = picture_choice.choose("real", link=LINK)
if choice is None:
    st.stop()

# How the pictures are read, drawn before they load: their size and the batch.
size_column, batch_column = st.columns(2, gap="large")
with size_column:
    image_size = LINK.control("image_size", st.select_slider,
                              "image size (speed against accuracy)", OPTIONS["image_size"])
with batch_column:
    batch_size = LINK.control("batch_size", st.select_slider, "batch size",
                              OPTIONS["batch_size"])
seed = LINK.link_value("seed")  # section 3's control: it also orders the training batches
data = picture_choice.load(choice, image_size, batch_size, seed)
if data is None:
    st.stop()

tree_column, grid_column = st.columns([1, 2], gap="large")
with tree_column:
    tables.show([{"folder": name, "label": index} for index, name in
                 enumerate(data.class_names)], hide_index=True, width="stretch")
    st.caption(f"{data.training_count} training and {data.validation_count} validation "
               f"pictures, resized to {image_size} x {image_size}, in batches of {batch_size}: "
               f"{data.steps_per_epoch} steps per epoch (every picture once). "
               + picture_choice.decoded_size_sentence(data))
with grid_column:
    pictures, names = real_world.first_batch(data)
    # Four a row at BATCH_TILE_PIXELS each: eight a row in two thirds of the page left
    # pictures of about 70 px, too small to tell a horse from a human on a projector.
    st.plotly_chart(picture_charts.picture_grid(pictures, names, columns=4, font_size=14,
                                                tile_pixels=BATCH_TILE_PIXELS, colour=True),
                    key="batch-grid", width="content")

projector.narrative("The course reads folders with `ImageDataGenerator(rescale=1/255)"
                    ".flow_from_directory(directory, target_size=(300, 300), batch_size=128, "
                    "class_mode='binary')`. Keras 3's successor is `keras.utils."
                    "image_dataset_from_directory`, with the same folder rules. This page decodes "
                    "every picture once, with the same decoder that reads your own pictures below, "
                    "and gathers batches from the kept pixels:")
code.show_code(image_folders.load_folders, image_folders.in_batches)

st.header("2. Binary or multiclass")
binary = data.label_mode == "binary"
tables.show([
    {"": "label_mode (course: class_mode)", "binary": "'binary'", "multiclass": "'categorical'"},
    {"": "final layer", "binary": "Dense(1, activation='sigmoid')",
     "multiclass": "Dense(N, activation='softmax')"},
    {"": "loss", "binary": "binary_crossentropy", "multiclass": "categorical_crossentropy"},
], hide_index=True, width="stretch")
st.caption(f"This dataset has {len(data.class_names)} classes, so it is "
           f"**{'binary' if binary else 'multiclass'}**: the model below ends in "
           f"{'one sigmoid neuron' if binary else f'{len(data.class_names)} softmax neurons'}.")

st.header("3. The course's convnet")
controls_column, code_column = projector.controls_and_display([2, 3])
with controls_column:
    st.button("Classroom defaults", on_click=LINK.use_settings, args=(CLASSROOM, OPTIONS),
              key="real-reset")
    # Image size and batch size are set in section 1, where the pictures load.
    conv_blocks = LINK.control("conv_blocks", st.select_slider, "convolution blocks",
                               OPTIONS["conv_blocks"])
    epochs = LINK.control("epochs", st.slider, "epochs", *OPTIONS["epochs"])
    learning_rate = LINK.control("learning_rate", st.select_slider, "learning rate (RMSprop)",
                                 OPTIONS["learning_rate"])
    # Its value was read in section 1 (`seed = LINK.link_value("seed")`), where the pictures
    # are loaded and the training batches ordered by it.
    LINK.control("seed", st.number_input, "seed", *OPTIONS["seed"])
    st.caption(caps.sentence(real_world.RUN_KIND))
    tensorboard = tensorboard_option.checkbox(LINK)
with code_column:
    code.show_code(recipes.real_world_model, real_world.train_real_world)
settings = real_world.RealWorldSettings(
    dataset=choice.dataset_id, training_folder=choice.training_folder,
    validation_folder=choice.validation_folder, image_size=image_size,
    conv_blocks=conv_blocks, epochs=epochs, batch_size=batch_size,
    learning_rate=learning_rate, seed=seed, tensorboard=tensorboard)
LINK.write()
teacher_panel.show(LINK)

st.header("4. Train")
run = training_view.train_and_show(real_world.job(settings), "real-world-images", "real",
                                   "real-live", accuracy_name="validation_accuracy")
tensorboard_option.show_logs(settings)

runs = st.session_state.setdefault("real-runs", {})
runs[(settings.dataset, image_size, conv_blocks, epochs, batch_size, learning_rate, seed)] = {
    "pictures": choice.title, "image size": image_size, "blocks": conv_blocks,
    "epochs": len(run.history.get("loss", [])),
    "seconds": round(run.extras.get("training_seconds", float("nan")), 1),
    "validation accuracy": round(run.extras["validation_accuracy"], 4)}
st.markdown("**Your runs so far**: the course's *speed up at the cost of accuracy*, measured.")
tables.show(list(runs.values()), hide_index=True, width="stretch")

st.subheader("Looking inside: what each layer makes of a picture")
projector.narrative("As the course does with a horse or a human: a model whose outputs are "
                    "every convolution and pooling layer's output shows what each layer makes "
                    "of a picture. Early layers still look like the picture; deeper ones are "
                    "smaller and more abstract, keeping where the features that decide the "
                    "class are.")
layer_viewer.show(run, pictures, names, real_world.model_inputs, "real-inside",
                  with_summary=True)

st.header("5. Your own pictures")
own_pictures.classify("real-predict", image_size,
                      lambda pictures: real_world.predict_pictures(run.model, pictures,
                                                                   data.class_names),
                      data.class_names)

st.header("6. Take it with you")
take_it_with_you.offer(take_home.TakeHome(
    "real_world_images", run.model, None, run.history,
    take_home_scripts.real_world_script(settings, data.class_names),
    inputs=take_home_scripts.REAL_WORLD_INPUTS), "real-take-home")

understanding.section("real-world-images", run)
