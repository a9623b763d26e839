"""Lesson 7's take-home scripts, put together as engine/take_home_scripts.py puts every
lesson's: the course's model (the frozen network cut at the learner's layer, the new
classifier on top) trained the course's way on pictures, with the pixel scaling as its first
layer; and part 5's, which then unlocks the top blocks below the cut and fine-tunes them.
Each runs with TensorFlow alone: `python <file>.py --epochs 1` trains one epoch.
"""

from typing import Optional

from engine import course_assets
from engine import dropout_pair
from engine import fine_tuning
from engine import recipes
from engine import take_home
from engine import take_home_scripts
from engine import transfer


def transfer_preparation(pixel_scaling: str) -> take_home.Preparation:
    """Lesson 7: the course's 0..1, or the network's own -1..1 (engine.transfer.SCALINGS)."""
    transfer.pixel_scaling(pixel_scaling)  # ValueError for an unknown scaling
    return take_home.DIVIDE_BY_255 if pixel_scaling == "course" else take_home.MINUS_ONE_TO_ONE


def weights_file(pair) -> Optional[str]:
    """Where the script looks for the weights: the course's /tmp path for the ImageNet file,
    a placeholder for a learner's own file, None for random weights."""
    if pair.weights_path is None:
        return None
    asset = course_assets.asset_by_key(transfer.base_choice(pair.base_name).weights_asset)
    name = asset.files[0].file_name
    return f"/tmp/{name}" if pair.weights_path.endswith(name) else "/tmp/your_weights.h5"


def transfer_parts(pair, head_name: str, class_names, with_dropout: bool) -> tuple:
    """What lesson 7's scripts share: (settings, their comments, the course's functions, the
    command-line arguments, the body up to the first fit), for the classifier `head_name`
    of the pair `pair` (engine.dropout_pair.PairSettings)."""
    preparation = transfer_preparation(pair.pixel_scaling)
    build = recipes.inception_base if pair.base_name == "InceptionV3" else recipes.mobilenet_base
    own_validation = pair.validation_folder is not None
    values = {**take_home_scripts.folder_settings(pair.dataset, own_validation, class_names),
              "LOCAL_WEIGHTS_FILE": weights_file(pair), "IMAGE_SIZE": pair.image_size,
              "CUT_LAYER": pair.cut_layer_name,
              "DROPOUT_RATE": pair.dropout_rate if with_dropout else None,
              "EPOCHS": pair.epochs, "BATCH_SIZE": pair.batch_size, "SEED": pair.seed}
    comments = {**take_home_scripts.FOLDER_COMMENTS,
                "LOCAL_WEIGHTS_FILE": "the pretrained weights (None: random); or "
                                      "--weights-file",
                "DROPOUT_RATE": f"the classifier {head_name!r}; None leaves Dropout out"}
    if pair.views:
        comments["EPOCHS"] = (f"the classroom kept {pair.views} augmented views per picture; "
                              "here every epoch draws fresh ones, as the course does")
    functions = [build, recipes.freeze_layers, recipes.transfer_head_model, recipes.classifier_head,
                 take_home.model_for_raw_pictures]
    arguments = (take_home_scripts.EPOCHS_ARGUMENT + "\n"
                 + take_home_scripts.FOLDER_ARGUMENTS + "\n"
                 'parser.add_argument("--weights-file", default=LOCAL_WEIGHTS_FILE,\n'
                 '                    help="the pretrained weights, an .h5 file")')
    body = (take_home_scripts.READING
            + take_home_scripts.augmenting(pair.augmentation, pair.seed) + "\n"
            "keras.utils.set_random_seed(SEED)  # same seed, same starting weights\n"
            f"pre_trained_model = {build.__name__}(arguments.weights_file, "
            "(IMAGE_SIZE, IMAGE_SIZE, 3))\n"
            "freeze_layers(pre_trained_model)\n"
            "model = transfer_head_model(pre_trained_model, CUT_LAYER, DROPOUT_RATE, "
            "len(CLASS_NAMES))\n"
            + "\n".join(take_home.comment(preparation.note() + " In training too.")) + "\n"
            f"model = model_for_raw_pictures(model, {preparation.source})\n")
    return values, comments, functions, arguments, body


FIRST_FIT = ("model.fit(training_pictures, validation_data=validation_pictures,\n"
             "          epochs=arguments.epochs)\n")


def transfer_script(pair, head_name: str, class_names, file_stem: str = "transfer_learning",
                    with_dropout: bool = True) -> str:
    """Lesson 7: the course's model, the frozen network cut at the learner's layer with the
    new classifier on top (`head_name`'s: `with_dropout` or not), trained the course's way on
    pictures, with the pixel scaling as its first layer. The classroom trains the same new
    layers on the cut layer's stored features instead, which gives the same model faster."""
    values, comments, functions, arguments, body = transfer_parts(pair, head_name,
                                                                  class_names, with_dropout)
    return take_home.script(
        "Lesson 7, transfer learning: your model, trained again with your settings.",
        take_home_scripts.usage(
            file_stem, f"{pair.base_name}, frozen and cut at {pair.cut_layer_name}, with the "
                       "course's new classifier on top, trained the course's way on "
                       "pictures. The classroom trained the same new layers on the cut "
                       "layer's stored features instead: the same model, faster."),
        "import argparse\n\nimport keras", take_home.constants(values, comments),
        take_home.sources(*functions), arguments,
        body + FIRST_FIT + "\n" + take_home_scripts.saving(file_stem, None))


FINE_TUNING = '''
# 2. Fine-tuning (part 5): the top blocks below the cut unlocked, trained with the classifier
# at a learning rate ten times smaller; every picture goes through the network again, in the
# classroom's smaller batches.
unfreeze_top_layers(pre_trained_model, UNFREEZE_AFTER, CUT_LAYER)
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=FINE_TUNING_LEARNING_RATE),
              loss=model.loss, metrics=["accuracy"])
# Batches made again do not tell Keras how many an epoch has: it counts them in the first
# epoch, which ends with a harmless warning that the input "ran out of data".
model.fit(training_pictures.unbatch().batch(FINE_TUNING_BATCH_SIZE),
          validation_data=validation_pictures.unbatch().batch(FINE_TUNING_BATCH_SIZE),
          epochs=arguments.fine_tuning_epochs)
'''
FINE_TUNING_ARGUMENT = (
    'parser.add_argument("--fine-tuning-epochs", type=int, default=FINE_TUNING_EPOCHS,\n'
    '                    help="how many epochs to fine-tune (default: yours)")')


def fine_tuning_script(settings, class_names,
                       file_stem: str = "transfer_learning_fine_tuned") -> str:
    """Lesson 7, part 5 (engine.fine_tuning.FineTuneSettings): the part 4 script's model
    trained frozen for the pair's epochs, then the layers after `unfreeze_after` up to the
    cut unlocked (BatchNormalization kept locked) and fine-tuned with the classifier."""
    pair = settings.pair
    values, comments, functions, arguments, body = transfer_parts(
        pair, settings.head_name, class_names,
        settings.head_name == dropout_pair.WITH_DROPOUT)
    values.update(UNFREEZE_AFTER=settings.unfreeze_after,
                  FINE_TUNING_EPOCHS=settings.epochs,
                  FINE_TUNING_LEARNING_RATE=fine_tuning.LEARNING_RATE,
                  FINE_TUNING_BATCH_SIZE=fine_tuning.BATCH_SIZE)
    comments.update(EPOCHS="the new classifier alone, the network frozen (part 3)",
                    UNFREEZE_AFTER="the layers after it, up to the cut, learn again")
    return take_home.script(
        "Lesson 7, fine-tuning: your fine-tuned model, trained again with your settings.",
        take_home_scripts.usage(
            file_stem, f"{pair.base_name}, frozen and cut at {pair.cut_layer_name} with the "
                       "course's new classifier on top, trained the course's way on "
                       f"pictures; then its layers after {settings.unfreeze_after} "
                       "unlocked and fine-tuned with it.",
            "--epochs 1 --fine-tuning-epochs 1"),
        "import argparse\n\nimport keras", take_home.constants(values, comments),
        take_home.sources(*functions, recipes.unfreeze_top_layers),
        arguments + "\n" + FINE_TUNING_ARGUMENT,
        body + "\n# 1. The new classifier learns on top of the frozen network (part 3).\n"
        + FIRST_FIT + FINE_TUNING + "\n" + take_home_scripts.saving(file_stem, None))
