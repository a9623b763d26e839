"""Lesson 3: Fashion-MNIST. Seventy thousand pictures of clothes, a dense network, a callback
that stops at a target accuracy, and an honest look at what the model got wrong."""

import streamlit as st

from engine import caps
from engine import datasets
from engine import fashion_mnist
from engine import picture_charts
from engine import recipes
from engine import take_home
from engine import take_home_scripts
from engine import training
from ui import code
from ui import data_status
from ui import fashion_mnist_exercises
from ui import fashion_mnist_results
from ui import projector
from ui import take_it_with_you
from ui import teacher_panel
from ui import tensorboard_option
from ui import training_view
from ui import understanding
from ui import url_state

CLASS_NAMES = datasets.FASHION_MNIST_CLASS_NAMES
COURSE = fashion_mnist.COURSE_RECIPE
CLASSROOM = fashion_mnist.default_job().settings
OPTIONS = {
    "hidden_units": [128, 512, 1024],
    "epochs": (1, caps.most(fashion_mnist.RUN_KIND, "epochs")),
    "batch_size": [32, 64, 128, 256, 512, 1024],
    "learning_rate": [0.0005, 0.001, 0.002, 0.004, 0.008],
    "target_accuracy": (0.70, 0.99, 0.01),
    "training_images": [1000, 6000, 15000, 30000, 60000],
    "seed": (0, 2**31 - 1),
}


def link_values(settings: fashion_mnist.FashionSettings) -> dict:
    """The settings as the page's controls hold them: the callback's box and its target (the
    classroom's target when the settings have no callback, ready for the box to be ticked)."""
    return {**settings.as_dict(), "callback": settings.target_accuracy is not None,
            "target_accuracy": settings.target_accuracy or CLASSROOM.target_accuracy}


LINK = url_state.Link.with_prefix("fashion-mnist", link_values(CLASSROOM), OPTIONS, "setting-")

st.title("Fashion-MNIST")
projector.narrative(
    "Computer vision, course 1 week 2: teach a computer to tell a **sneaker** from a **bag** "
    "from 70,000 labelled pictures. Keras ships the dataset: "
    "`keras.datasets.fashion_mnist.load_data()` gives 60,000 pictures to learn from and "
    "10,000 held back to test on, each 28 x 28 pixels of grey."
)
(training_images, training_labels), (test_images, test_labels) = \
    data_status.fashion_mnist_or_stop()

st.header("1. The data")
projector.narrative(
    "Each label is a **number from 0 to 9**, not a word. Numbers let the same data serve "
    "every language, and a model computes with numbers anyway: "
    + ", ".join(f"{number} = {name}" for number, name in enumerate(CLASS_NAMES)) + "."
)
class_column, start_column = st.columns(2, gap="large")
chosen_class = class_column.selectbox("show", ["every class", *CLASS_NAMES], key="browse-class")
indices = (range(len(training_labels)) if chosen_class == "every class" else
           (training_labels == CLASS_NAMES.index(chosen_class)).nonzero()[0])
start = start_column.slider("first picture", 0, len(indices) - 24, 0, key="browse-start")
shown = list(indices[start:start + 24])
st.plotly_chart(picture_charts.picture_grid(training_images[shown],
                                            [f"#{index} {CLASS_NAMES[training_labels[index]]}"
                                             for index in shown], columns=6), key="browse-grid")
# The full width: 28 x 28 numbers need about 700 pixels to be read without overlapping.
pixels_column, _ = st.columns([1, 2], gap="large")
pixel_index = pixels_column.number_input("look at the numbers of picture #", 0,
                                         len(training_images) - 1, int(shown[0]),
                                         key="pixel-index")
st.plotly_chart(picture_charts.pixel_heatmap(training_images[pixel_index],
                                             CLASS_NAMES[training_labels[pixel_index]]),
                key="pixel-heatmap", width="content")
st.caption("Every pixel is a number from 0 (black) to 255 (white). The course divides "
           "them all by 255.0 so that the inputs lie between 0 and 1: neural networks "
           "learn faster and more reliably from small, similar-sized numbers. Untick "
           "*normalise* below to see what happens without it.")

st.header("2. The model")
LINK.start()
controls_column, code_column = projector.controls_and_display([2, 3])
with controls_column:
    first, second = st.columns(2)
    first.button("Classroom defaults", on_click=LINK.use, args=(link_values(CLASSROOM),),
                 help=f"Batch {CLASSROOM.batch_size}, Adam at {CLASSROOM.learning_rate}, "
                      f"{CLASSROOM.epochs} epochs: chosen on a validation split of the training "
                      "pictures, about as accurate as the course's recipe, in less time; and "
                      f"the course's callback, stopping once training accuracy passes "
                      f"{CLASSROOM.target_accuracy}.")
    second.button("The course's recipe", on_click=LINK.use, args=(link_values(COURSE),),
                  help=f"Batch {COURSE.batch_size}, Adam at {COURSE.learning_rate}, "
                       f"{COURSE.epochs} epochs, as in the course notebook (without the "
                       "callback, which the course adds in a later notebook).")
    hidden_units = LINK.control("hidden_units", st.select_slider, "hidden units",
                                OPTIONS["hidden_units"])
    extra_hidden_layer = LINK.control("extra_hidden_layer", st.checkbox,
                                      "add a second hidden layer")
    normalise = LINK.control("normalise", st.checkbox, "normalise (divide by 255)")
    epochs = LINK.control("epochs", st.slider, "epochs", *OPTIONS["epochs"])
    batch_size = LINK.control("batch_size", st.select_slider, "batch size",
                              OPTIONS["batch_size"])
    learning_rate = LINK.control("learning_rate", st.select_slider, "learning rate (Adam)",
                                 OPTIONS["learning_rate"])
    use_callback = LINK.control("callback", st.checkbox,
                                "stop when training accuracy passes a target (callback)",
                                help="The course's myCallback: after every epoch, Keras calls "
                                     "its on_epoch_end with the epoch's logs, and once "
                                     "logs.get('accuracy') is above the target it sets "
                                     "self.model.stop_training = True.")
    target = LINK.control("target_accuracy", st.slider, "target accuracy",
                          *OPTIONS["target_accuracy"][:2], step=0.01, disabled=not use_callback)
    training_count = LINK.control("training_images", st.select_slider, "training pictures",
                                  OPTIONS["training_images"])
    seed = LINK.control("seed", st.number_input, "seed", *OPTIONS["seed"])
    st.caption(caps.sentence(fashion_mnist.RUN_KIND))
    tensorboard = tensorboard_option.checkbox(LINK)

settings = fashion_mnist.FashionSettings(
    hidden_units=hidden_units, extra_hidden_layer=extra_hidden_layer, normalise=normalise,
    epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
    target_accuracy=target if use_callback else None, training_images=training_count,
    seed=seed, tensorboard=tensorboard)
LINK.write()
teacher_panel.show(LINK)
st.caption("The address bar now holds these settings: share the link to share the setup.")
with code_column:
    # The callback's code is shown when the run uses it: what is shown is what runs.
    code.show_code(recipes.fashion_mnist_model, recipes.fashion_mnist_classifier,
                   *([recipes.StopAtAccuracy] if use_callback else []),
                   fashion_mnist.train_fashion_mnist, training.fit_and_evaluate)
fashion_mnist_exercises.break_it(LINK)

st.header("3. Train")
run = training_view.train_and_show(fashion_mnist.job(settings), "fashion-mnist", "final",
                                   "live")
history, facts, model = run.history, run.extras, run.model
probabilities = run.arrays["test_probabilities"]
callback_sentence = training.callback_outcome(run, settings.target_accuracy, settings.epochs)
if callback_sentence:
    stopped_at = facts.get("stopped_by_callback_at_epoch")
    say = st.success if stopped_at and stopped_at < settings.epochs else st.info
    say(callback_sentence, icon=":material/front_hand:")
if facts.get("last_logs"):
    st.markdown("What Keras passed to `on_epoch_end` as `logs` (the course's `logs.get('acc')` "
                "finds nothing here: the key is `'accuracy'`):")
    st.json(facts["last_logs"])
tensorboard_option.show_logs(settings)

st.header("4. What did it get wrong?")
fashion_mnist_results.show_confusion(test_images, test_labels, probabilities, "fashion")
fashion_mnist_results.show_probabilities(model, test_images, test_labels, probabilities, "fashion")
fashion_mnist_results.show_own_picture(model, "fashion", settings.normalise)

st.header("5. Take it with you")
take_it_with_you.offer(take_home.TakeHome(
    "fashion_mnist", model, take_home_scripts.fashion_mnist_preparation(settings), history,
    take_home_scripts.fashion_mnist_script(settings),
    inputs="The model was trained on pixels of 0..255, not divided by 255: give it "
           "pictures as they come."), "fashion-take-home")

understanding.section("fashion-mnist", run)
