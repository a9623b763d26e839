"""What each layer of a convnet makes of a picture: the course's "visualizing intermediate
representations" (course 1 week 3 and 4, course 2 week 1), for every lesson's convnet
(lesson 4's on Fashion-MNIST, lessons 5 and 6's on colour pictures)."""

import keras
import numpy

from engine import keras_lock


def layer_table(model: keras.Model) -> list:
    """`model.summary()` as rows: each layer's name, type, output shape and parameter count."""
    return [{"layer": layer.name,
             "type": type(layer).__name__,
             "output shape": str(tuple(layer.output.shape)),
             "parameters": layer.count_params()}
            for layer in model.layers]


def looked_at_layers(model: keras.Model) -> list:
    """The convolution and pooling layers, the ones whose outputs are pictures."""
    return [layer for layer in model.layers
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D))]


def first_lively_filter(maps: dict, preferred: int = 1) -> int:
    """The filter to show first: the course's `preferred` one (its CONVOLUTION_NUMBER = 1),
    unless the first layer's map of it is flat for the first picture (a filter whose ReLU
    gives 0 everywhere, common after a short run); then the lowest filter that is not.
    `maps`: activation_maps' result."""
    first_layer = next(iter(maps.values()))[0]  # (height, width, filters), first picture
    lively = [index for index in range(first_layer.shape[-1])
              if numpy.ptp(first_layer[:, :, index]) > 0]
    if preferred in lively or not lively:
        return preferred
    return lively[0]


def maps_and_first_lively_filter(model: keras.Model, inputs: numpy.ndarray) -> tuple:
    """(activation_maps(model, inputs), first_lively_filter of them): what the layer viewer
    draws."""
    maps = activation_maps(model, inputs)
    return maps, first_lively_filter(maps)


def activation_maps(model: keras.Model, inputs: numpy.ndarray) -> dict:
    """The course's activation model: one Model whose outputs are every conv and pooling
    layer's output. `inputs`: pictures as `model` takes them, (pictures, height, width,
    channels). Returns layer name -> array (pictures, height, width, filters)."""
    layers = looked_at_layers(model)
    with keras_lock.building():
        activation_model = keras.Model(inputs=model.inputs,
                                       outputs=[layer.output for layer in layers])
    outputs = activation_model.predict(inputs, verbose=0)
    return {layer.name: output for layer, output in zip(layers, outputs)}
