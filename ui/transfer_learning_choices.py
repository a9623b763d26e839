"""Lesson 7's choices: which pretrained network, where its weights come from, how pictures
are scaled before it, and how the training pictures are augmented."""

import dataclasses

import streamlit as st

from engine import augment
from engine import caps
from engine import downloads
from engine import dropout_pair
from engine import fine_tuning
from engine import hosting
from engine import transfer
from engine import weights_files
from ui import between_lessons
from ui import code
from ui import data_status
from ui import picture_choice
from ui import shared_caches
from ui import url_state

# Epochs first: its slider's key tells a learner's first run in the lesson (see url_state).
WIDGET_KEYS = {"epochs": "transfer-epochs", "network": "transfer-base",
               "picture_size": "transfer-size", "pixel_scaling": "transfer-scaling",
               "seed": "transfer-seed", "cut": "transfer-cut",
               "dataset": "transfer-dataset", "views": "transfer-views",
               "dropout_rate": "transfer-dropout", "batch_size": "transfer-batch",
               "weights": "transfer-weights-source", "augmentation": "transfer-augmentation",
               "tensorboard": "transfer-tensorboard",
               "unfreeze_after": "transfer-unfreeze-after",
               "fine_tuning_epochs": "transfer-fine-tune-epochs"}
FROM_DATA_DIRECTORY = "ImageNet weights from the data directory"
FROM_PATH = "a weights file on this computer"
FROM_UPLOAD = "an uploaded .h5 file"
RANDOM = "no pretrained knowledge (random weights)"
NO_AUGMENTATION = "none"
COURSE_AUGMENTATION = "the course's values"
YOUR_AUGMENTATION = "yours, from lesson 6"
LINK_OPTIONS = {
    "network": list(transfer.BASES), "picture_size": [128, 150, 224], "seed": (0, 2**31 - 1),
    # "" is the network's own default scaling (engine.transfer.BaseChoice.default_scaling).
    "pixel_scaling": [""] + list(transfer.SCALINGS),
    # "" is the network's own default cut.
    "cut": [""] + sorted({name for base in transfer.BASES.values()
                          for name in base.cut_layer_names}),
    "dataset": {dataset: title for title, dataset in picture_choice.COURSE_DATASETS.items()},
    "views": [2, 4, 8], "dropout_rate": [0.1, 0.2, 0.3, 0.5],
    "epochs": (1, caps.most(dropout_pair.RUN_KIND, "epochs")),
    "batch_size": [10, 20, 32, 50, 64, 100],
    # Part 5. "" unlocks the nearest block below the cut (the first unfreeze choice).
    "unfreeze_after": [""] + sorted({name for base in transfer.BASES.values()
                                     for name in base.cut_layer_names}),
    "fine_tuning_epochs": (1, caps.most(fine_tuning.RUN_KIND, "epochs")),
    # A file path, an upload and lesson 6's own augmentation stay on one learner's computer or
    # session, so a link carries only the choices every learner can make.
    "weights": {"imagenet": FROM_DATA_DIRECTORY, "random": RANDOM},
    "augmentation": {"none": NO_AUGMENTATION, "course": COURSE_AUGMENTATION}}


def link() -> url_state.Link:
    """Lesson 7's choices that a link carries. The default network depends on the weights in
    the data directory (see default_base)."""
    pair = dropout_pair.PairSettings()  # the pair's own defaults, written once there
    defaults = {"epochs": pair.epochs, "network": default_base(),
                "picture_size": pair.image_size, "pixel_scaling": "", "seed": pair.seed,
                "cut": "", "dataset": pair.dataset, "views": 4,
                "dropout_rate": pair.dropout_rate, "batch_size": pair.batch_size,
                "weights": "imagenet", "augmentation": "none", "tensorboard": False,
                "unfreeze_after": "", "fine_tuning_epochs": fine_tuning.DEFAULT_EPOCHS}
    return url_state.Link("transfer-learning", defaults, LINK_OPTIONS, WIDGET_KEYS)


def keep_cut_on_its_network(base_name: str, cut_layer_names: list) -> None:
    """A cut of the other network (the learner switched networks, or a link named one) falls
    back to this network's default."""
    if st.session_state.get(WIDGET_KEYS["cut"]) not in cut_layer_names:
        st.session_state[WIDGET_KEYS["cut"]] = transfer.base_choice(base_name).default_cut


def write_link(lesson_link: url_state.Link, base_name: str, cut_layer_name: str,
               pixel_scaling: str) -> None:
    """The address bar follows the controls; the network's own default cut and scaling, and
    part 5's nearest block, are written as "" so that a link without them keeps meaning "the
    default" whichever network and cut it names."""
    choice = transfer.base_choice(base_name)
    unfreeze_choices = fine_tuning.unfreeze_choices(choice.cut_layer_names, cut_layer_name)
    defaults = {"cut": cut_layer_name == choice.default_cut,
                "pixel_scaling": pixel_scaling == choice.default_scaling,
                "unfreeze_after": lesson_link.link_value("unfreeze_after")
                not in unfreeze_choices[1:]}
    lesson_link.write(**{name: "" for name, is_default in defaults.items() if is_default})


# Which network the pixel scaling widget was last set for. Not a widget key, so Streamlit
# keeps it while the learner is on another page.
SCALING_SET_FOR = "transfer-scaling-set-for"


def keep_scaling_on_its_network(lesson_link: url_state.Link, base_name: str) -> None:
    """A link's "" (or none) means the network's own default scaling (the course's 0..1 for
    InceptionV3); switching networks switches to that network's default, rather than
    carrying the other network's over, unless a teacher's link locks the scaling."""
    key = WIDGET_KEYS["pixel_scaling"]
    switched = st.session_state.get(SCALING_SET_FOR, base_name) != base_name
    locked = "pixel_scaling" in lesson_link.locks()
    if st.session_state.get(key) not in transfer.SCALINGS or (switched and not locked):
        st.session_state[key] = transfer.base_choice(base_name).default_scaling
    st.session_state[SCALING_SET_FOR] = base_name


def choose_scaling(lesson_link: url_state.Link, base_name: str) -> str:
    """The pixel scaling the learner picked, a key of engine.transfer.SCALINGS."""
    keep_scaling_on_its_network(lesson_link, base_name)
    default = transfer.base_choice(base_name).default_scaling
    return lesson_link.control(
        "pixel_scaling", st.radio, "pixel scaling before the network",
        list(transfer.SCALINGS),
        format_func=lambda key: transfer.SCALINGS[key].title
        + (" (the lesson's default)" if key == default else ""),
        help="The course divides by 255. The ImageNet weights were trained on -1..1, what "
             "the network's own preprocess_input gives.")


# Measured by benchmarks/pixel_scaling.py (BENCHMARKS.md, "Lesson 7: pixel scaling"): MobileNet
# 0.25 with its ImageNet weights, the lesson's default pair (cut conv_pw_13_relu, 150 px, 20
# epochs, batch 50), seeds 0, 1 and 2; the final validation accuracy of both classifiers
# together, (mean, minimum) over the 6 values. Measure again when the default pair changes.
MEASURED_SCALING = {
    "horses-or-humans": {"course": (0.9889, 0.9727), "network": (0.9928, 0.9844)},
    "cats-vs-dogs": {"course": (0.8833, 0.8650), "network": (0.9025, 0.8900)},
}


def show_scaling(pixel_scaling: str) -> None:
    """Say which pixel scaling is on, how it differs from what ImageNet's weights were
    trained on and what that was measured to cost; then the code that scales."""
    chosen = transfer.pixel_scaling(pixel_scaling)
    mobilenet_default = transfer.SCALINGS[transfer.base_choice("MobileNet 0.25").default_scaling]
    st.markdown(
        f"**Pixel scaling: {chosen.title}.** The course divides every picture by 255 "
        "(`ImageDataGenerator(rescale=1./255)`), so InceptionV3 sees values in 0..1, but its "
        "ImageNet weights, like MobileNet's, were trained on values in -1..1, which is what "
        "the network's own `preprocess_input` gives. The lesson keeps the course's way as "
        "InceptionV3's default; MobileNet 0.25, which the course never uses, defaults to "
        f"{mobilenet_default.title}.")
    rows = "".join(
        f"| {transfer.SCALINGS[key].title} | " + " | ".join(
            f"{figures[key][0]:.3f} (lowest {figures[key][1]:.3f})"
            for figures in MEASURED_SCALING.values()) + " |\n" for key in transfer.SCALINGS)
    costs = " and ".join(
        f"{100 * (figures['network'][0] - figures['course'][0]):.1f} points on {dataset}"
        for dataset, figures in MEASURED_SCALING.items())
    st.markdown(
        "What the difference costs, measured with MobileNet 0.25's ImageNet weights (the "
        "only ImageNet weights available offline here; InceptionV3's cost is not measured) "
        "on the lesson's default pair: final validation accuracy of both classifiers, mean "
        "and lowest over three seeds (`benchmarks/pixel_scaling.py`, figures in "
        f"BENCHMARKS.md). The course's 0..1 cost {costs}.\n\n"
        f"| scaling | {' | '.join(MEASURED_SCALING)} |\n|---|---|---|\n" + rows)
    code.show_code(chosen.scale, caption="Every picture goes through this before the "
                   "network: when its features are computed, when fine-tuning, and "
                   "when it classifies your own pictures.")




def default_base() -> str:
    """The network the lesson starts with (engine.transfer.default_base_name), also what
    `python -m engine.prepare` trains lesson 7's default run on."""
    return transfer.default_base_name()


def choose_weights(lesson_link: url_state.Link, base_name: str, seed: int):
    """The weights the learner picked, resolved; None (after a message) when unusable.
    A shared server (engine.hosting.shared_server) offers no path on its disk: a typed path
    would tell which files exist there, and read them."""
    sources = [FROM_DATA_DIRECTORY, FROM_UPLOAD, RANDOM] if hosting.shared_server() else [
        FROM_DATA_DIRECTORY, FROM_PATH, FROM_UPLOAD, RANDOM]
    source = lesson_link.control("weights", st.radio, "weights", sources)
    try:
        if source == FROM_DATA_DIRECTORY:
            return weights_files.resolve_weights(base_name, weights_files.IMAGENET, seed)
        if source == FROM_PATH:
            path = st.text_input("path of the .h5 file", key="transfer-weights-path")
            if not path.strip():
                return None
            return weights_files.resolve_weights(base_name, path.strip(), seed)
        if source == FROM_UPLOAD:
            upload = st.file_uploader(f"weights (.h5, at most {caps.UPLOAD_MEGABYTES} MB)",
                                      type=["h5"],
                                      key="transfer-weights-upload")
            if upload is None:
                return None
            return weights_files.resolve_weights(base_name, upload.getvalue(), seed)
        st.warning("**No pretrained knowledge.** With random weights the frozen "
                   "network knows nothing about pictures, so this is not transfer "
                   "learning: expect about chance (50% on two classes, 33% on "
                   "three). It is here to show what the pretrained weights are worth.",
                   icon=":material/warning:")
        return weights_files.resolve_weights(base_name, None, seed)
    except downloads.MissingDataError as problem:
        data_status.say_missing(problem, "Transfer learning needs pretrained weights. ")
    except ValueError as problem:
        st.error(str(problem), icon=":material/error:")
    return None


def frozen_network_or_say_why(base_name: str, weights, image_size: int, seed: int):
    """The frozen network with these weights, or None after a sentence saying why the
    weights do not fit it (never a traceback)."""
    try:
        return shared_caches.frozen_network(
            base_name, weights.identity, str(weights.path) if weights.path else None,
            image_size, seed)
    except ValueError as problem:
        st.error(str(problem), icon=":material/error:")
        return None


def choose_augmentation(lesson_link: url_state.Link):
    """The augmentation for the training pictures: None, the course's values, or (when the
    learner set some in lesson 6) theirs. Returns engine.augment.AugmentSettings or None."""
    options = {NO_AUGMENTATION: None, COURSE_AUGMENTATION: augment.COURSE_SETTINGS}
    yours = between_lessons.augmentation_from_lesson_6()
    if yours is not None and augment.augmentation_layers(yours) and yours != (
            augment.COURSE_SETTINGS):
        options[YOUR_AUGMENTATION] = yours
    title = lesson_link.control(
        "augmentation", st.radio, "augment the training pictures", list(options),
        horizontal=True, help="Set your own in lesson 6 (Augmentation); they appear here.")
    return options[title]


def show_augmentation_code(settings, pixel_scaling: str) -> None:
    """The Keras 3 layers that augment the training pictures, when there are any."""
    if settings is not None:
        # The rescaling is left out here: engine.transfer.prepare_pictures prepares the
        # pictures for the chosen network after augmenting them, as the course's rescale did.
        st.code(augment.keras3_layers_code(dataclasses.replace(settings, rescale=False)),
                language="python")
        st.caption(f"Then each picture is scaled for the network as chosen in part "
                   f"1: {transfer.pixel_scaling(pixel_scaling).title}.")
