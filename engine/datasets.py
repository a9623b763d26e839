"""Loading the course datasets from the data directory.

`load_fashion_mnist()` returns exactly what `keras.datasets.fashion_mnist.load_data()` returns,
parsed the same way as Keras' own source, but from the data directory (so an offline classroom
works) and only after the files' sha256 matched the published values.
"""

import functools
import gzip

import numpy

from engine import course_assets
from engine import downloads
from engine import registry

# The label numbers of Fashion-MNIST, in order (from the Keras and Zalando documentation).
FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_fashion_mnist():
    """Return (train_images, train_labels), (test_images, test_labels) as uint8 NumPy arrays of
    shapes (60000, 28, 28), (60000,), (10000, 28, 28) and (10000,).

    Downloads the four files first if they are missing (raising downloads.MissingDataError with
    instructions when that is impossible)."""
    asset = course_assets.FASHION_MNIST
    downloads.ensure_asset(asset)
    paths = {file.file_name: registry.file_path(asset, file) for file in asset.files}

    # IDX files: labels start after an 8-byte header, images after a 16-byte header.
    with gzip.open(paths["train-labels-idx1-ubyte.gz"], "rb") as label_file:
        train_labels = numpy.frombuffer(label_file.read(), numpy.uint8, offset=8)
    with gzip.open(paths["train-images-idx3-ubyte.gz"], "rb") as image_file:
        train_images = numpy.frombuffer(image_file.read(), numpy.uint8, offset=16).reshape(
            len(train_labels), 28, 28
        )
    with gzip.open(paths["t10k-labels-idx1-ubyte.gz"], "rb") as label_file:
        test_labels = numpy.frombuffer(label_file.read(), numpy.uint8, offset=8)
    with gzip.open(paths["t10k-images-idx3-ubyte.gz"], "rb") as image_file:
        test_images = numpy.frombuffer(image_file.read(), numpy.uint8, offset=16).reshape(
            len(test_labels), 28, 28
        )
    return (train_images, train_labels), (test_images, test_labels)


def fashion_mnist_kept():
    """`load_fashion_mnist()`, read once per process and data directory: a training job's
    worker keeps the 55 MB of pictures between runs. Treat the arrays as read-only."""
    from engine import hosting

    return _fashion_mnist_from(str(hosting.data_dir()))


@functools.lru_cache(maxsize=2)
def _fashion_mnist_from(data_dir: str):
    return load_fashion_mnist()
