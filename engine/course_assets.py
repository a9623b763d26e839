"""Every dataset and weights file the course uses: where it comes from and how to check it.

The catalogue is plain data. `engine.registry` says where each one lives inside the data directory
and whether it is there, `engine.downloads` fetches what is missing, the status panel shows what
is ready, and the tests read it to build an offline copy. The layout inside the data directory
copies Keras' own cache (`datasets/fashion-mnist/`, `models/`), so a data directory also works
as KERAS_HOME for `keras.datasets.fashion_mnist.load_data()` and
`keras.applications.*(weights="imagenet")`.

Image datasets are stored extracted, one folder of class folders per split, ready for
`keras.utils.image_dataset_from_directory` or `ImageDataGenerator.flow_from_directory`:

    datasets/horse-or-human/train/horses/...      datasets/horse-or-human/validation/humans/...
"""

import dataclasses

HASH_LENGTHS = {"sha256": 64, "md5": 32}


@dataclasses.dataclass(frozen=True)
class ArchiveFolder:
    """One folder inside a zip that becomes one split of an image dataset."""

    folder_in_archive: str  # "" means the top of the archive
    split: str  # the folder name it gets inside the dataset folder: train, validation, test


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file as published, with what we know for sure about its bytes."""

    origin: str
    file_name: str
    size_bytes: int | None  # None when no trustworthy size is known
    file_hash: str | None  # None when nobody publishes a hash we can trust
    hash_algorithm: str | None  # "sha256" or "md5", None when file_hash is None
    hash_source: str  # where the hash (or its absence) comes from, in a few words
    mirrors: tuple[str, ...] = ()  # other addresses of the same bytes, tried after origin
    extracts: tuple[ArchiveFolder, ...] = ()  # empty: the file is kept as it is

    @property
    def is_archive(self) -> bool:
        return bool(self.extracts)


@dataclasses.dataclass(frozen=True)
class Asset:
    """A dataset or a weights file, as a lesson asks for it."""

    key: str
    title: str
    kind: str  # "dataset files", "image folders" or "weights"
    lessons: tuple[int, ...]  # lesson numbers, as in ui/lesson_list.py
    location: str  # folder inside the data directory, always written with "/"
    files: tuple[RemoteFile, ...]
    class_names: tuple[str, ...] = ()  # the class folders of every split (image folders only)
    # Image folders only: the name a lesson's picker shows, and where the course's notebooks
    # unpack the training and validation splits (the take-home scripts read them there).
    picker_title: str = ""
    course_folders: tuple[str, str] = ("", "")

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(folder.split for file in self.files for folder in file.extracts)


FASHION_MNIST_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_MNIST_HASH_SOURCE = (
    "tensorflow/datasets tensorflow_datasets/url_checksums/fashion_mnist.txt "
    "(Zalando's original files, which Keras mirrors unchanged)"
)
TFDS_CHECKSUMS = "tensorflow/datasets tensorflow_datasets/url_checksums/"
TFDS_HORSES_HASH_SOURCE = TFDS_CHECKSUMS + "horses_or_humans.txt"
TFDS_RPS_HASH_SOURCE = TFDS_CHECKSUMS + "rock_paper_scissors.txt"
KERAS_APPLICATIONS_ORIGIN = "https://storage.googleapis.com/tensorflow/keras-applications/"
TFDS_DATA_ORIGIN = "https://storage.googleapis.com/download.tensorflow.org/data/"
COURSE_NOTEBOOKS_ORIGIN = "https://storage.googleapis.com/learning-datasets/"


def _sha256_file(origin_folder: str, file_name: str, size_bytes: int, sha256: str,
                 hash_source: str, extracts=(), mirror_folders=()) -> RemoteFile:
    """A file published at `origin_folder` + `file_name` (and at each mirror folder + the same
    name), with a sha256 we can trust."""
    return RemoteFile(
        origin=origin_folder + file_name,
        file_name=file_name,
        size_bytes=size_bytes,
        file_hash=sha256,
        hash_algorithm="sha256",
        hash_source=hash_source,
        mirrors=tuple(folder + file_name for folder in mirror_folders),
        extracts=extracts,
    )


def _fashion_mnist_file(file_name: str, size_bytes: int, sha256: str) -> RemoteFile:
    return _sha256_file(FASHION_MNIST_ORIGIN, file_name, size_bytes, sha256,
                        FASHION_MNIST_HASH_SOURCE)


def _image_folders(key: str, title: str, class_names: tuple[str, ...], lessons: tuple[int, ...],
                   picker: tuple[str, str, str], files: tuple[RemoteFile, ...]) -> Asset:
    """A picture dataset kept at datasets/<key>; `picker` is (the picker's name, the course
    notebooks' training folder, their validation folder)."""
    picker_title, training_folder, validation_folder = picker
    return Asset(key=key, title=title, kind="image folders", lessons=lessons,
                 location=f"datasets/{key}", files=files, class_names=class_names,
                 picker_title=picker_title, course_folders=(training_folder, validation_folder))


def _weights(key: str, title: str, remote_file: RemoteFile) -> Asset:
    """ImageNet weights for lesson 7, kept in models/ where keras.applications looks for them."""
    return Asset(key=key, title=title, kind="weights", lessons=(7,), location="models",
                 files=(remote_file,))


FASHION_MNIST = Asset(
    key="fashion-mnist",
    title="Fashion-MNIST (70,000 clothing images, 28x28 grey)",
    kind="dataset files",
    lessons=(3, 4),
    location="datasets/fashion-mnist",
    # The order is the one keras.datasets.fashion_mnist.load_data() reads them in.
    files=(
        _fashion_mnist_file(
            "train-labels-idx1-ubyte.gz",
            29_515,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        _fashion_mnist_file(
            "train-images-idx3-ubyte.gz",
            26_421_880,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        _fashion_mnist_file(
            "t10k-labels-idx1-ubyte.gz",
            5_148,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
        _fashion_mnist_file(
            "t10k-images-idx3-ubyte.gz",
            4_422_102,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
    ),
)

# TensorFlow Datasets publishes the hashes for the download.tensorflow.org copies, so those are
# the origins; the course notebooks' learning-datasets address is tried as a mirror, and the
# same hash decides whether its bytes are accepted. Both zips hold horses/ and humans/ at their
# top (TFDS reads them with the pattern ^(humans|horses)/...png$).
HORSE_OR_HUMAN = _image_folders(
    "horse-or-human", "Horses or Humans (CGI renders, 300x300)", ("horses", "humans"), (5, 6, 7),
    ("Horses or humans", "/tmp/horse-or-human", "/tmp/validation-horse-or-human"),
    files=(
        _sha256_file(TFDS_DATA_ORIGIN, "horse-or-human.zip", 149_574_867,
                     "e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9",
                     TFDS_HORSES_HASH_SOURCE, (ArchiveFolder("", "train"),),
                     mirror_folders=(COURSE_NOTEBOOKS_ORIGIN,)),
        _sha256_file(TFDS_DATA_ORIGIN, "validation-horse-or-human.zip", 11_480_187,
                     "ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0",
                     TFDS_HORSES_HASH_SOURCE, (ArchiveFolder("", "validation"),),
                     mirror_folders=(COURSE_NOTEBOOKS_ORIGIN,)),
    ),
)

CATS_AND_DOGS_FILTERED = _image_folders(
    "cats_and_dogs_filtered", "Cats and dogs, filtered (2,000 train / 1,000 validation photos)",
    ("cats", "dogs"), (5, 6, 7),
    ("Cats vs dogs (filtered)", "/tmp/cats_and_dogs_filtered/train",
     "/tmp/cats_and_dogs_filtered/validation"),
    files=(
        RemoteFile(
            origin="https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
            file_name="cats_and_dogs_filtered.zip",
            size_bytes=68_606_236,
            file_hash=None,
            hash_algorithm=None,
            hash_source=(
                "no published hash found; the size is the Content-Length shown in the download "
                "logs of the TensorFlow tutorials, and the zip's own CRC-32 checks are tested"
            ),
            extracts=(
                ArchiveFolder("cats_and_dogs_filtered/train", "train"),
                ArchiveFolder("cats_and_dogs_filtered/validation", "validation"),
            ),
        ),
    ),
)

# TFDS reads them with ^(rps|rps-test-set)/(rock|paper|scissors)/...png$.
ROCK_PAPER_SCISSORS = _image_folders(
    "rps", "Rock, Paper, Scissors (CGI hands, 300x300)", ("paper", "rock", "scissors"), (5,),
    ("Rock, paper, scissors (three classes)", "/tmp/rps", "/tmp/rps-test-set"),
    files=(
        _sha256_file(TFDS_DATA_ORIGIN, "rps.zip", 200_682_221,
                     "c2403444395842ad04c53612bad54b574443eae17a0723117a2ff87b9d72194f",
                     TFDS_RPS_HASH_SOURCE, (ArchiveFolder("rps", "train"),)),
        _sha256_file(TFDS_DATA_ORIGIN, "rps-test-set.zip", 29_516_758,
                     "c27ab9fa43ce40b2e453de711365b477f4424586edf0388116674fd320f07503",
                     TFDS_RPS_HASH_SOURCE, (ArchiveFolder("rps-test-set", "test"),)),
    ),
)

INCEPTION_V3_NOTOP = _weights(
    "inception-v3-notop", "InceptionV3 ImageNet weights, without the top (87 MB)",
    RemoteFile(
        origin=(
            KERAS_APPLICATIONS_ORIGIN + "inception_v3/"
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
        ),
        file_name="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        size_bytes=87_910_968,
        file_hash="bcbd6486424b2319ff4ef7d526e38f63",
        hash_algorithm="md5",
        hash_source="keras-team/keras keras/src/applications/inception_v3.py (file_hash)",
    ),
)

MOBILENET_V1_025_224_NOTOP = _weights(
    "mobilenet-v1-0.25-224-notop",
    "MobileNet v1 (alpha 0.25, 224) ImageNet weights, without the top (2 MB)",
    _sha256_file(
        KERAS_APPLICATIONS_ORIGIN + "mobilenet/", "mobilenet_2_5_224_tf_no_top.h5", 2_108_140,
        "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf",
        "our own measurement of the Keras release file (HDF5 saved by Keras 2.0.4); "
        "Keras publishes no hash for MobileNet v1 weights",
    ),
)

ASSETS = (
    FASHION_MNIST,
    HORSE_OR_HUMAN,
    CATS_AND_DOGS_FILTERED,
    ROCK_PAPER_SCISSORS,
    INCEPTION_V3_NOTOP,
    MOBILENET_V1_025_224_NOTOP,
)


def asset_by_key(key: str) -> Asset:
    """The registry entry called `key`, e.g. asset_by_key("fashion-mnist")."""
    for asset in ASSETS:
        if asset.key == key:
            return asset
    known_keys = ", ".join(asset.key for asset in ASSETS)
    raise ValueError(
        f"There is no dataset or weights file called {key!r}. Known names: {known_keys}."
    )


def image_datasets() -> tuple:
    """The course's picture datasets (Assets of kind "image folders"), in the order a lesson's
    picker offers them; each one's `splits` are its (training, validation) folders."""
    return tuple(asset for asset in ASSETS if asset.kind == "image folders")
