"""The course's models as short builders. Pages show these functions' own source, so what a
learner reads is exactly what runs. Each builder returns a compiled model, ready for training.
Where two lessons build the same thing (one neuron, the Fashion-MNIST compile, the classifier
on a cut network), one function serves both and each page shows it beside its own builder.

Keras 3 note: the course writes `Dense(units=1, input_shape=[1])`. Keras 3 still accepts that
but warns; its own form declares the input first with `keras.Input(shape=...)`, as here.
"""

import keras


def one_neuron_model(optimizer: keras.optimizers.Optimizer) -> keras.Model:
    """Course 1, week 1: one neuron, one input number x and one output w * x + b, trained to
    make the mean squared error small with the `optimizer` given."""
    model = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(units=1),
    ])
    model.compile(optimizer=optimizer, loss="mean_squared_error")
    return model


def hello_neuron_model(learning_rate: float = 0.01) -> keras.Model:
    """Course 1, week 1: the neuron that learns y = w * x + b from examples, with the
    course's optimiser. The course writes optimizer='sgd', which is SGD with
    learning_rate=0.01."""
    return one_neuron_model(keras.optimizers.SGD(learning_rate=learning_rate))


def rule_finder_model(learning_rate: float = 0.5) -> keras.Model:
    """Lesson 1: the same single neuron, with Adam so that it also copes with data such as
    temperatures from -40 to 100, where plain SGD at 0.01 would overshoot and diverge."""
    return one_neuron_model(keras.optimizers.Adam(learning_rate=learning_rate))


def fashion_mnist_model(hidden_units: int = 128, extra_hidden_layer: bool = False,
                        learning_rate: float = 0.001) -> keras.Model:
    """Course 1, week 2: Flatten the 28x28 picture, one hidden layer, ten class scores.
    The course writes Flatten(input_shape=(28, 28)); Keras 3 declares the input first."""
    layers = [
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation="relu"),
    ]
    if extra_hidden_layer:  # the course's exercise 5: does another layer help?
        layers.append(keras.layers.Dense(hidden_units, activation="relu"))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return fashion_mnist_classifier(layers, learning_rate)


def fashion_mnist_classifier(layers: list, learning_rate: float = 0.001) -> keras.Model:
    """Course 1, weeks 2 and 3: `layers` as one Sequential model, compiled the way the course
    compiles both its Fashion-MNIST networks: Adam, sparse categorical cross-entropy (each
    label is one class number, 0 to 9, not ten numbers) and accuracy."""
    model = keras.Sequential(layers)
    # optimizer="adam" in the course is Adam with learning_rate=0.001.
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


class StopAtAccuracy(keras.callbacks.Callback):
    """The course's myCallback: stop training once the training accuracy passes a target,
    compared as the course does (`logs.get('accuracy') > DESIRED_ACCURACY`), after each epoch.

    The course reads logs.get('acc'), which TensorFlow 1 logged; TensorFlow 2 and Keras 3
    log the name given in metrics=[...], here 'accuracy', and logs.get('acc') is None.
    """

    def __init__(self, desired_accuracy: float):
        super().__init__()
        self.desired_accuracy = desired_accuracy
        self.last_logs = {}  # kept so the page can show what Keras really logged
        self.stopped_at_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        self.last_logs = dict(logs or {})
        if self.last_logs.get("accuracy", 0.0) > self.desired_accuracy:
            print(f"\nReached {self.desired_accuracy:.0%} accuracy so cancelling training!")
            self.stopped_at_epoch = epoch + 1
            self.model.stop_training = True


def fashion_cnn_model(filters: int = 64, conv_blocks: int = 2,
                      learning_rate: float = 0.001) -> keras.Model:
    """Course 1, week 3: convolutions and pooling in front of the dense network.
    Each block is Conv2D(filters, (3, 3), relu) then MaxPooling2D(2, 2): 28 -> 26 -> 13,
    and with a second block 13 -> 11 -> 5. The course declares input_shape=(28, 28, 1)
    on the first Conv2D; Keras 3 declares the input first."""
    layers = [keras.Input(shape=(28, 28, 1))]
    for _ in range(conv_blocks):
        layers.append(keras.layers.Conv2D(filters, (3, 3), activation="relu"))
        layers.append(keras.layers.MaxPooling2D(2, 2))
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
    return fashion_mnist_classifier(layers, learning_rate)


def real_world_model(image_size: int = 150, conv_blocks: int = 5, classes: int = 2,
                     learning_rate: float = 0.001) -> keras.Model:
    """Course 1, week 4: the horses-or-humans convnet, five Conv2D + MaxPooling2D blocks
    with 16, 32, 64, 64, 64 filters, Flatten, Dense(512), and one output per the course's
    binary-or-multiclass table. The course rescales with ImageDataGenerator(rescale=1/255);
    with Keras 3's image_dataset_from_directory that step becomes the model's first layer."""
    layers = [keras.Input(shape=(image_size, image_size, 3)),
              keras.layers.Rescaling(1.0 / 255)]
    for filters in (16, 32, 64, 64, 64)[:conv_blocks]:
        layers.append(keras.layers.Conv2D(filters, (3, 3), activation="relu"))
        layers.append(keras.layers.MaxPooling2D(2, 2))
    layers += [keras.layers.Flatten(), keras.layers.Dense(512, activation="relu")]
    if classes == 2:  # binary: one neuron, sigmoid, binary cross-entropy
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
        loss = "binary_crossentropy"
    else:  # multiclass: one neuron per class, softmax, categorical cross-entropy
        layers.append(keras.layers.Dense(classes, activation="softmax"))
        loss = "categorical_crossentropy"
    model = keras.Sequential(layers)
    # The course writes RMSprop(lr=0.001); Keras 3 only accepts learning_rate=.
    model.compile(loss=loss, optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  metrics=["accuracy"])
    return model


def inception_base(local_weights_file=None, input_shape=(150, 150, 3)) -> keras.Model:
    """Course 2, week 3: InceptionV3 without its ImageNet classifier (the "top"), built
    empty and then given the pretrained snapshot from a local file, as the course does.
    Without a file it keeps its random starting weights: the same layers, but no
    pretrained knowledge."""
    pre_trained_model = keras.applications.InceptionV3(
        input_shape=input_shape,
        include_top=False,
        weights=None,
    )
    if local_weights_file is not None:
        pre_trained_model.load_weights(local_weights_file)
    return pre_trained_model


def freeze_layers(pre_trained_model: keras.Model) -> keras.Model:
    """Course 2, week 3: lock every pretrained layer, so that training only changes the
    new layers added on top and ImageNet's knowledge stays as it is."""
    for layer in pre_trained_model.layers:
        layer.trainable = False
    return pre_trained_model


def transfer_head_model(pre_trained_model: keras.Model, cut_layer_name: str = "mixed7",
                        dropout_rate=0.2, classes: int = 2,
                        learning_rate: float = 0.0001) -> keras.Model:
    """Course 2, week 3: cut the pretrained network at `cut_layer_name` and add a new
    classifier (`classifier_head`). dropout_rate=None (or 0) leaves Dropout out.
    The course writes metrics=['acc']; Keras 3 would then log 'acc', so we write
    'accuracy', the name every other lesson logs."""
    last_layer = pre_trained_model.get_layer(cut_layer_name)
    last_output = last_layer.output
    x, loss = classifier_head(last_output, dropout_rate, classes)

    model = keras.Model(pre_trained_model.input, x)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss=loss,
                  metrics=["accuracy"])
    return model


def classifier_head(x, dropout_rate=0.2, classes: int = 2):
    """Course 2, week 3: the new classifier put on top of the cut output `x` (a Keras
    tensor, e.g. (None, 7, 7, 768) at mixed7): Flatten, Dense(1024), the optional Dropout,
    and one output per the course's binary-or-multiclass table. Returns the output tensor,
    (None, 1) or (None, classes), and the loss that goes with it."""
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(1024, activation="relu")(x)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate)(x)
    if classes == 2:
        return keras.layers.Dense(1, activation="sigmoid")(x), "binary_crossentropy"
    return keras.layers.Dense(classes, activation="softmax")(x), "categorical_crossentropy"


# Where a MobileNet can be cut, from early to late (at 150x150 pictures: 18x18x64, 9x9x128
# and 4x4x256 numbers per picture). Its last block plays the part of InceptionV3's mixed7.
MOBILENET_CUT_LAYERS = ("conv_pw_5_relu", "conv_pw_11_relu", "conv_pw_13_relu")


def mobilenet_base(local_weights_file=None, input_shape=(150, 150, 3)) -> keras.Model:
    """Not in the course: a MobileNet a quarter as wide as the original (alpha=0.25). Its
    ImageNet weights are 2 MB instead of InceptionV3's 88 MB and it needs about 40 times
    fewer multiplications per picture, so transfer learning also runs on a slow laptop.
    Keras loads the weights file itself when it is given as `weights`."""
    pre_trained_model = keras.applications.MobileNet(
        input_shape=input_shape,
        alpha=0.25,
        include_top=False,
        weights=local_weights_file,
    )
    return pre_trained_model


def feature_head_model(feature_shape, dropout_rate=0.2, classes: int = 2,
                       learning_rate: float = 0.0001) -> keras.Model:
    """The classroom's shortcut: the same new layers (`classifier_head`), fed the cut
    layer's output computed once and stored, instead of pictures that the frozen network
    would turn into the very same numbers again in every epoch."""
    features = keras.Input(shape=feature_shape)
    x, loss = classifier_head(features, dropout_rate, classes)

    model = keras.Model(features, x)
    # jit_compile: XLA fuses RMSprop's update of Dense(1024)'s weights (38 million after
    # mixed7) into one pass over memory; on a CPU, training steps run 2 to 3 times faster.
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss=loss,
                  metrics=["accuracy"],
                  jit_compile=True)
    return model


def unfreeze_top_layers(pre_trained_model: keras.Model, unfreeze_after: str,
                        cut_layer_name: str) -> keras.Model:
    """Fine-tuning, the step after the course: unlock the layers after `unfreeze_after` up
    to and including the cut at `cut_layer_name`, so they train again with the classifier.
    Every BatchNormalization layer among them stays locked: Keras then runs it in inference
    mode, keeping the means and variances it learned on ImageNet instead of those of a few
    small batches of our pictures. Raises ValueError when `unfreeze_after` is not before
    the cut."""
    layers = pre_trained_model.layers
    start = layers.index(pre_trained_model.get_layer(unfreeze_after))
    stop = layers.index(pre_trained_model.get_layer(cut_layer_name))
    if start >= stop:
        raise ValueError(f"Unfreeze after a layer that comes before the cut at "
                         f"{cut_layer_name}, not after {unfreeze_after}.")
    for layer in layers[start + 1:stop + 1]:
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
    return pre_trained_model
