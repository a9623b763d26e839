"""Lesson 4: Convolutions. Filters and pooling by hand, then the course's convnet, how it
shrinks the picture, how it compares with the dense network, and what its layers see."""

import streamlit as st

from engine import caps
from engine import convolutions
from engine import fashion_mnist
from engine import picture_charts
from engine import recipes
from engine import take_home
from engine import take_home_scripts
from engine import training
from engine import training_charts
from ui import code
from ui import convolutions_filter_lab
from ui import data_status
from ui import job_view
from ui import layer_viewer
from ui import projector
from ui import shared_caches
from ui import tables
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import training_view
from ui import understanding
from ui import url_state

CLASSROOM = convolutions.default_job().settings
COURSE = convolutions.COURSE_RECIPE
OPTIONS = {
    "filters": [16, 32, 64],
    "conv_blocks": [1, 2],
    "epochs": (1, caps.most(convolutions.RUN_KIND, "epochs")),
    "batch_size": [32, 64, 128, 256, 512],
    "learning_rate": [0.0005, 0.001, 0.002, 0.003, 0.004],
    "training_images": [1000, 6000, 15000, 30000, 60000],
    "seed": (0, 2**31 - 1),
}
LINK = url_state.Link.with_prefix("convolutions", {
    **{name: getattr(CLASSROOM, name) for name in OPTIONS}, "tensorboard": False}, OPTIONS, "cnn-")

st.title("Convolutions")
projector.narrative(
    "Course 1, week 3. A dense network looks at every pixel on its own. A **convolution** "
    "looks at small neighbourhoods: a 3x3 **filter** slides over the picture and turns each "
    "patch into one number, so edges, lines and textures stand out. **Pooling** then keeps "
    "the strongest signal of each 2x2 block and halves the picture."
)

st.header("1. A filter by hand")
convolutions_filter_lab.render()

st.header("2. The course's convnet")
(_, _), (test_images, test_labels) = data_status.fashion_mnist_or_stop()


LINK.start()
controls_column, code_column = projector.controls_and_display([2, 3])
with controls_column:
    first, second = st.columns(2)
    first.button("Classroom defaults", on_click=LINK.use_settings,
                 args=(CLASSROOM, OPTIONS), key="cnn-classroom",
                 help=f"{CLASSROOM.filters} filters, batch {CLASSROOM.batch_size}, Adam at "
                      f"{CLASSROOM.learning_rate}, {CLASSROOM.epochs} epochs: chosen on a "
                      "validation split of the training pictures, about the course's "
                      "accuracy, in less time.")
    second.button("The course's recipe", on_click=LINK.use_settings,
                  args=(COURSE, OPTIONS), key="cnn-course",
                  help=f"{COURSE.filters} filters, batch {COURSE.batch_size}, Adam at "
                       f"{COURSE.learning_rate}, {COURSE.epochs} epochs: several minutes on a "
                       "laptop.")
    filters = LINK.control("filters", st.select_slider, "filters per convolution",
                           OPTIONS["filters"])
    conv_blocks = LINK.control("conv_blocks", st.select_slider, "convolution + pooling blocks",
                               OPTIONS["conv_blocks"])
    epochs = LINK.control("epochs", st.slider, "epochs", *OPTIONS["epochs"])
    batch_size = LINK.control("batch_size", st.select_slider, "batch size",
                              OPTIONS["batch_size"])
    learning_rate = LINK.control("learning_rate", st.select_slider, "learning rate (Adam)",
                                 OPTIONS["learning_rate"])
    training_count = LINK.control("training_images", st.select_slider, "training pictures",
                                  OPTIONS["training_images"])
    seed = LINK.control("seed", st.number_input, "seed", *OPTIONS["seed"])
    st.caption(caps.sentence(convolutions.RUN_KIND))
    tensorboard = tensorboard_option.checkbox(LINK)
settings = convolutions.CnnSettings(filters=filters, conv_blocks=conv_blocks, epochs=epochs,
                                    batch_size=batch_size, learning_rate=learning_rate,
                                    training_images=training_count, seed=seed,
                                    tensorboard=tensorboard)
LINK.write()
teacher_panel.show(LINK)
with code_column:
    code.show_code(recipes.fashion_cnn_model, recipes.fashion_mnist_classifier,
                   convolutions.train_fashion_cnn, training.fit_and_evaluate)

st.subheader("model.summary(): how the picture shrinks")
tables.show(shared_caches.convnet_summary(settings), hide_index=True, width="stretch")
st.caption("Each 3x3 convolution loses a pixel on every side (28 → 26), each pooling "
           "halves (26 → 13). Most parameters sit in the first Dense layer, which sees "
           "every number the last pooling layer produces.")

st.header("3. Train")
run = training_view.train_and_show(convolutions.job(settings), "convolutions", "cnn",
                                   "cnn-live")
tensorboard_option.show_logs(settings)

st.header("4. Dense network against convnet")
st.markdown("Lesson 3's dense network with its classroom defaults, trained on the same "
            "pictures, against this convnet:")
dense_run = job_view.train_or_show(
    fashion_mnist.default_job(),
    lambda history: training_view.draw_curves(history, "dense-live",
                                              "validation (test set)"),
    button_label="Train the dense network (about 10 seconds)", key="train-dense")
if dense_run is not None:
    tables.show([
        {"model": "dense (lesson 3)", "test accuracy": dense_run.extras["test_accuracy"],
         "training seconds": dense_run.extras.get("training_seconds"),
         "parameters": dense_run.extras["parameters"],
         "epochs": len(dense_run.history["loss"])},
        {"model": "convnet (this lesson)", "test accuracy": run.extras["test_accuracy"],
         "training seconds": run.extras.get("training_seconds"),
         "parameters": run.extras["parameters"], "epochs": len(run.history["loss"])},
    ], hide_index=True, width="stretch")
    st.plotly_chart(training_charts.comparison_curves(
        {"dense": dense_run.history, "convnet": run.history}, "loss",
        "Loss: training (solid) and validation (dotted)"), key="compare-loss")
projector.narrative("The course's warning: train longer and the **training** loss keeps "
                    "falling while the **validation** loss stops falling, then rises. The "
                    "model is learning its training pictures by heart (**overfitting**) rather "
                    "than what makes a shoe a shoe. Try 15 epochs and watch the dotted line.")

st.header("5. Looking inside")
projector.narrative("The course takes three test pictures of the same class and shows what "
                    "one filter of every convolution and pooling layer makes of them, with a "
                    "model whose outputs are those layers' outputs:")
layer_viewer.show(run, test_images, [fashion_mnist.CLASS_NAMES[label] for label in
                                           test_labels],
                  convolutions.model_inputs, "inside", convolutions.COURSE_PICTURES)
st.markdown("And the 3x3 filters the first convolution learned by itself:")
kernels = convolutions.first_layer_kernels(run.model)
st.plotly_chart(picture_charts.picture_grid(list(kernels),
                                            [f"{index}" for index in range(len(kernels))],
                                            columns=16, height_per_row=60), key="kernels")

st.header("6. Take it with you")
take_it_with_you.offer(take_home.TakeHome(
    "convolutions", run.model, take_home_scripts.fashion_mnist_preparation(settings),
    run.history, take_home_scripts.convolutions_script(settings),
    inputs="The model was trained on pixels of 0..255, not divided by 255: give it "
           "pictures shaped (28, 28, 1) as they come."), "cnn-take-home")

understanding.section("convolutions", run)
