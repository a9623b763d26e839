"""One script per lesson kind that trains the lesson's model again, as engine/take_home.py puts
scripts together: the course's builders the page shows, the learner's settings as literals,
the course's data loading, `model.fit` and `model.save`. Each runs with TensorFlow alone:
`python <lesson>.py --epochs 1` trains one epoch.

Pictures are read from folders whose paths are settings at the top of the script, by default
where the course's zips unpack; Fashion-MNIST comes from `keras.datasets`, which downloads it
once into ~/.keras/datasets (KERAS_HOME) and reads it from there afterwards. Lesson 7's
scripts (the transfer model and its fine-tuning) are in engine/transfer_scripts.py.
"""

import dataclasses
from typing import Optional

from engine import augment
from engine import course_assets
from engine import fashion_mnist
from engine import recipes
from engine import take_home

EPOCHS_ARGUMENT = ('parser.add_argument("--epochs", type=int, default=EPOCHS,\n'
                   '                    help="how many epochs to train (default: yours)")')
FOLDER_ARGUMENTS = (
    'parser.add_argument("--training-folder", default=TRAINING_FOLDER,\n'
    '                    help="the training pictures, one folder per class")\n'
    'parser.add_argument("--validation-folder", default=VALIDATION_FOLDER,\n'
    '                    help="the validation pictures, one folder per class")')

# Where the course's zips unpack: (training folder, validation folder).
COURSE_FOLDERS = {asset.key: asset.course_folders for asset in course_assets.image_datasets()}
# A learner's own pictures: the script cannot know where they are on another computer.
OWN_FOLDERS = ("my_pictures/train", "my_pictures/validation")


def usage(file_stem: str, what: str, quick_try: str = "--epochs 1") -> str:
    """The script's docstring after its title: what it trains, how to run it (`quick_try`:
    the arguments of a quick try), what it saves."""
    runs = [("", "your settings, your epochs"), (quick_try, "a quick try"),
            ("--help", "what else can be changed")]
    width = max(len(arguments) for arguments, _ in runs)
    commands = "".join(f"    python {file_stem}.py {arguments:<{width}}  # {why}\n"
                       for arguments, why in runs)
    return (f"{what}\n\nRun it with TensorFlow installed (pip install tensorflow):\n\n"
            f"{commands}\nIt saves the trained model as {file_stem}_retrained.keras.")


def saving(file_stem: str, preparation: Optional[take_home.Preparation],
           model_name: str = "model") -> str:
    """The script's last lines: the model saved, with its preparation in front when it has
    one (model_for_raw_pictures)."""
    lines = []
    if preparation is not None:
        lines += take_home.comment(preparation.note()) + [
            f"{model_name} = model_for_raw_pictures({model_name}, {preparation.source})"]
    lines += [f'{model_name}.save("{file_stem}_retrained.keras")',
              f'print("Saved {file_stem}_retrained.keras")']
    return "\n".join(lines)


def fashion_mnist_preparation(settings) -> Optional[take_home.Preparation]:
    """Lessons 3 and 4: /255 when the pictures were normalised, else none (0..255 already)."""
    return take_home.DIVIDE_BY_255 if settings.normalise else None


FASHION_DATA = '''\
# The course's data: keras.datasets downloads it once into ~/.keras/datasets.
(training_images, training_labels), (test_images, test_labels) = (
    keras.datasets.fashion_mnist.load_data())
'''


def fashion_settings(settings, names) -> str:
    values = {name.upper(): getattr(settings, name) for name in names}
    return take_home.constants(values, {"TARGET_ACCURACY": "the callback's; None: no callback",
                                        "NORMALISE": "divide the pixels by 255"})


def fit_and_evaluate(settings, file_stem: str) -> str:
    callbacks = ("[StopAtAccuracy(TARGET_ACCURACY)]" if settings.target_accuracy is not None
                 else "[]")
    return (f"keras.utils.set_random_seed(SEED)  # same seed, same starting weights\n"
            "{model}\n"
            "model.fit(training_images, training_labels, epochs=arguments.epochs,\n"
            "          batch_size=BATCH_SIZE, validation_data=(test_images, test_labels),\n"
            f"          callbacks={callbacks})\n"
            "test_loss, test_accuracy = model.evaluate(test_images, test_labels)\n"
            'print(f"Test accuracy: {test_accuracy:.4f}")\n\n'
            + saving(file_stem, fashion_mnist_preparation(settings)))


def fashion_data_script(settings, file_stem: str, builder, preparing: str, model: str,
                        title: str, what: str, names: tuple) -> str:
    """Lessons 3 and 4 as a script: the course's Fashion-MNIST data, `preparing` (the lines
    that prepare its pictures), the lesson's `builder` called as `model` (its line of the
    script), then fit, evaluate and save; `names`: the settings written at the top."""
    preparation = fashion_mnist_preparation(settings)
    functions = [builder, recipes.fashion_mnist_classifier, fashion_mnist.prepare_images]
    functions += [recipes.StopAtAccuracy] if settings.target_accuracy is not None else []
    functions += [take_home.model_for_raw_pictures] if preparation else []
    body = FASHION_DATA + preparing
    body += fit_and_evaluate(settings, file_stem).replace("{model}", model)
    return take_home.script(title, usage(file_stem, what),
                            "import argparse\n\nimport keras\nimport numpy",
                            fashion_settings(settings, names),
                            take_home.sources(*functions), EPOCHS_ARGUMENT, body)


def fashion_mnist_script(settings, file_stem: str = "fashion_mnist") -> str:
    """Lesson 3's dense network (engine.fashion_mnist.FashionSettings) as a script."""
    return fashion_data_script(
        settings, file_stem, recipes.fashion_mnist_model,
        "training_images = prepare_images(training_images[:TRAINING_IMAGES], NORMALISE)\n"
        "training_labels = training_labels[:TRAINING_IMAGES]\n"
        "test_images = prepare_images(test_images, NORMALISE)\n\n",
        "model = fashion_mnist_model(HIDDEN_UNITS, EXTRA_HIDDEN_LAYER, LEARNING_RATE)",
        "Lesson 3, Fashion-MNIST: your dense network, trained again with your settings.",
        "The course's Flatten, Dense, Dense(10) network on Zalando's pictures of clothes.",
        ("hidden_units", "extra_hidden_layer", "normalise", "epochs", "batch_size",
         "learning_rate", "target_accuracy", "training_images", "seed"))


def convolutions_script(settings, file_stem: str = "convolutions") -> str:
    """Lesson 4's convnet (engine.convolutions.CnnSettings) as a script."""
    return fashion_data_script(
        settings, file_stem, recipes.fashion_cnn_model,
        "# The course's reshape: a convolution wants a channel axis, (pictures, 28, 28, 1).\n"
        "training_images = training_images[:TRAINING_IMAGES].reshape(-1, 28, 28, 1)\n"
        "training_images = prepare_images(training_images, NORMALISE)\n"
        "training_labels = training_labels[:TRAINING_IMAGES]\n"
        "test_images = prepare_images(test_images.reshape(-1, 28, 28, 1), NORMALISE)\n\n",
        "model = fashion_cnn_model(FILTERS, CONV_BLOCKS, LEARNING_RATE)",
        "Lesson 4, Convolutions: your convnet, trained again with your settings.",
        "The course's Conv2D and MaxPooling2D blocks in front of the dense network, on "
        "Fashion-MNIST. Give the saved model pictures shaped (28, 28, 1).",
        ("filters", "conv_blocks", "normalise", "epochs", "batch_size", "learning_rate",
         "target_accuracy", "training_images", "seed"))


def picture_folders(dataset: str, own_validation: bool = True) -> tuple:
    """(training folder, validation folder or None) a script starts from: where the course's
    zip unpacks, or placeholders for a learner's own pictures."""
    if dataset in COURSE_FOLDERS:
        return COURSE_FOLDERS[dataset]
    return OWN_FOLDERS[0], OWN_FOLDERS[1] if own_validation else None


def folder_settings(dataset: str, own_validation: bool, class_names) -> dict:
    training_folder, validation_folder = picture_folders(dataset, own_validation)
    return {"TRAINING_FOLDER": training_folder, "VALIDATION_FOLDER": validation_folder,
            "CLASS_NAMES": list(class_names),
            "LABEL_MODE": "binary" if len(class_names) == 2 else "categorical"}


FOLDER_COMMENTS = {
    "TRAINING_FOLDER": "where the course's zip unpacks; or --training-folder",
    "VALIDATION_FOLDER": "None: a seeded fifth of the training pictures validates",
    "CLASS_NAMES": "the folder names, in alphabetical order: the labels",
    "LABEL_MODE": "the course's class_mode: binary for two classes, else categorical",
}

READING = '''\
# One folder per class. The course reads them with ImageDataGenerator(rescale=1/255)
# .flow_from_directory; Keras 3's successor is image_dataset_from_directory. The pictures
# stay 0..255 here: the model's first layer prepares them.
reading = dict(class_names=CLASS_NAMES, label_mode=LABEL_MODE, batch_size=BATCH_SIZE,
               image_size=(IMAGE_SIZE, IMAGE_SIZE), seed=SEED)
if arguments.validation_folder:
    training_pictures = keras.utils.image_dataset_from_directory(
        arguments.training_folder, **reading)
    validation_pictures = keras.utils.image_dataset_from_directory(
        arguments.validation_folder, shuffle=False, **reading)
else:
    training_pictures, validation_pictures = keras.utils.image_dataset_from_directory(
        arguments.training_folder, validation_split=0.2, subset="both", **reading)
'''


def augmenting(augmentation: tuple, seed: int) -> str:
    """The lesson 6 page's Keras 3 layers for these (name, value) pairs, and the map that
    augments the training pictures with them; "" when nothing augments."""
    settings = dataclasses.replace(augment.AugmentSettings(**dict(augmentation)),
                                   rescale=False)  # the model rescales itself
    if not augment.layer_recipes(settings):
        return ""
    layers = augment.keras3_layers_code(settings, seed).replace("import keras\n\n", "")
    return (f"\n{layers}\n# Only the training pictures are augmented, freshly every epoch.\n"
            "training_pictures = training_pictures.map(\n"
            "    lambda pictures, labels: (data_augmentation(pictures, training=True), labels))\n")


REAL_WORLD_INPUTS = ("The model divides the pixels by 255 itself, in its first layer (the "
                     "course's rescale=1./255 as Rescaling): give it pictures as they come, "
                     "0..255.")


def real_world_script(settings, class_names, file_stem: str = "real_world_images") -> str:
    """Lessons 5 and 6: the course's convnet on pictures in class folders
    (engine.real_world.RealWorldSettings, with its augmentation if any) as a script. The model
    rescales in its first layer already, so it takes pictures of 0..255 as it is."""
    values = {**folder_settings(settings.dataset, settings.validation_folder is not None,
                                class_names),
              **{name.upper(): getattr(settings, name) for name in
                 ("image_size", "conv_blocks", "epochs", "batch_size", "learning_rate",
                  "seed")}}
    body = (READING + augmenting(settings.augmentation, settings.seed) + "\n"
            "keras.utils.set_random_seed(SEED)  # same seed, same starting weights\n"
            "model = real_world_model(IMAGE_SIZE, CONV_BLOCKS, len(CLASS_NAMES), "
            "LEARNING_RATE)\n"
            "model.fit(training_pictures, validation_data=validation_pictures,\n"
            "          epochs=arguments.epochs)\n\n"
            "# The model divides by 255 in its first layer: give it pictures of 0..255.\n"
            + saving(file_stem, None))
    return take_home.script(
        "Your convnet on real-world pictures, trained again with your settings.",
        usage(file_stem, "The course's horses-or-humans convnet: five Conv2D and "
                         "MaxPooling2D blocks, Dense(512), one output per the course's "
                         "binary-or-multiclass table."),
        "import argparse\n\nimport keras",
        take_home.constants(values, FOLDER_COMMENTS),
        take_home.sources(recipes.real_world_model), EPOCHS_ARGUMENT + "\n" + FOLDER_ARGUMENTS,
        body)


ONE_NEURON_INPUTS = "The model takes one number, x, and predicts y: model.predict([[10.0]])."


def one_neuron_script(builder, xs, ys, settings: dict, title: str, file_stem: str) -> str:
    """Lessons 1 and 2: one neuron learning ys from xs, the course's `model.fit(xs, ys,
    epochs=...)` with all the examples in one batch, as the classroom's full-batch loop."""
    arguments = "LEARNING_RATE" if "LEARNING_RATE" in settings else ""
    body = ("xs = numpy.array(XS, dtype=\"float32\").reshape(-1, 1)\n"
            "ys = numpy.array(YS, dtype=\"float32\").reshape(-1, 1)\n\n"
            "keras.utils.set_random_seed(SEED)  # same seed, same starting weight\n"
            f"model = {builder.__name__}({arguments})\n"
            "# Every example in one batch: one step per epoch, as in the classroom.\n"
            "model.fit(xs, ys, epochs=arguments.epochs, batch_size=len(xs), verbose=0)\n"
            "weight, bias = (float(value.ravel()[0]) for value in model.get_weights())\n"
            'print(f"y = {weight:.4f} * x + {bias:.4f}")\n\n' + saving(file_stem, None))
    return take_home.script(
        title, usage(file_stem, "One Dense unit finds the straight line through your "
                                "examples."),
        "import argparse\n\nimport keras\nimport numpy",
        take_home.constants({"XS": list(xs), "YS": list(ys), **settings}),
        take_home.sources(recipes.one_neuron_model, builder), EPOCHS_ARGUMENT, body)


def hello_neuron_script(settings, file_stem: str = "hello_neuron") -> str:
    """Lesson 2 (engine.hello_neuron.HelloNeuronSettings) as a script."""
    return one_neuron_script(
        recipes.hello_neuron_model, settings.xs, settings.ys,
        {"EPOCHS": settings.epochs, "LEARNING_RATE": settings.learning_rate,
         "SEED": settings.seed},
        "Lesson 2, hello neuron: your neuron, trained again with your settings.", file_stem)


def rules_script(settings, file_stem: str = "rules_vs_data") -> str:
    """Lesson 1 (engine.rules.RuleSettings: xs and your rule's answers) as a script."""
    return one_neuron_script(
        recipes.rule_finder_model, settings.xs, settings.answers,
        {"EPOCHS": settings.epochs, "SEED": settings.seed},
        "Lesson 1, rules vs data: the neuron that found your rule, trained again.", file_stem)
