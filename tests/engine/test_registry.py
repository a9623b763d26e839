"""The registry is complete and consistent, and agrees with what Keras itself downloads."""

import inspect
import pathlib
import re
import urllib.parse

import pytest

from engine import course_assets
from engine import registry

ALL_FILES = [(asset, file) for asset in course_assets.ASSETS for file in asset.files]
FILE_IDS = [file.file_name for _, file in ALL_FILES]


def test_keys_are_unique_and_every_asset_has_a_title_and_lessons():
    keys = [asset.key for asset in course_assets.ASSETS]
    assert len(keys) == len(set(keys))
    for asset in course_assets.ASSETS:
        assert asset.title and asset.files
        assert asset.kind in {"dataset files", "image folders", "weights"}
        assert asset.lessons and all(1 <= lesson <= 7 for lesson in asset.lessons)


@pytest.mark.parametrize("asset, remote_file", ALL_FILES, ids=FILE_IDS)
def test_every_file_has_an_https_origin_a_name_and_a_place(asset, remote_file):
    for address in (remote_file.origin, *remote_file.mirrors):
        parts = urllib.parse.urlsplit(address)
        assert parts.scheme == "https" and parts.netloc
        assert pathlib.PurePosixPath(parts.path).name == remote_file.file_name
    location = pathlib.PurePosixPath(asset.location)
    assert not location.is_absolute() and ".." not in location.parts
    assert location.parts[0] in {"datasets", "models"}


@pytest.mark.parametrize("asset, remote_file", ALL_FILES, ids=FILE_IDS)
def test_every_hash_has_the_length_of_its_algorithm(asset, remote_file):
    assert remote_file.hash_source
    if remote_file.file_hash is None:
        assert remote_file.hash_algorithm is None
        # Without a hash the size is the only check on the bytes before unpacking.
        assert remote_file.size_bytes
    else:
        expected_length = course_assets.HASH_LENGTHS[remote_file.hash_algorithm]
        assert re.fullmatch(f"[0-9a-f]{{{expected_length}}}", remote_file.file_hash)
    assert remote_file.size_bytes is None or remote_file.size_bytes > 0


def test_image_datasets_name_their_splits_and_classes():
    for asset in course_assets.ASSETS:
        if asset.kind == "image folders":
            assert asset.class_names and len(set(asset.splits)) == len(asset.splits)
            assert all(file.is_archive for file in asset.files)
        else:
            assert not asset.splits and not asset.class_names


def test_image_folder_gives_one_folder_of_class_folders_per_split(empty_data_dir):
    assert registry.image_folder("horse-or-human", "train") == (
        empty_data_dir / "datasets" / "horse-or-human" / "train"
    )
    assert registry.image_folder("cats_and_dogs_filtered", "validation") == (
        empty_data_dir / "datasets" / "cats_and_dogs_filtered" / "validation"
    )
    assert registry.image_folder("rps", "test") == empty_data_dir / "datasets" / "rps" / "test"


def test_image_folder_explains_a_wrong_name():
    with pytest.raises(ValueError, match="Known names: fashion-mnist"):
        registry.image_folder("horses", "train")
    with pytest.raises(ValueError, match="It has: train, validation"):
        registry.image_folder("horse-or-human", "test")
    with pytest.raises(ValueError, match="not stored as folders of images"):
        registry.image_folder("fashion-mnist", "train")


def test_weights_live_where_keras_applications_look_for_them(empty_data_dir):
    path = registry.asset_path(course_assets.INCEPTION_V3_NOTOP)
    assert path == empty_data_dir / "models" / path.name


def test_fashion_mnist_matches_keras_own_loader():
    from keras.src.datasets import fashion_mnist

    source = inspect.getsource(fashion_mnist.load_data)
    assert '"datasets", "fashion-mnist"' in source
    assert course_assets.FASHION_MNIST.location == "datasets/fashion-mnist"
    for remote_file in course_assets.FASHION_MNIST.files:
        assert remote_file.origin == course_assets.FASHION_MNIST_ORIGIN + remote_file.file_name
        assert f'"{remote_file.file_name}"' in source
    assert course_assets.FASHION_MNIST_ORIGIN in source


def test_weights_match_keras_applications_source():
    from keras.src.applications import inception_v3
    from keras.src.applications import mobilenet

    inception = course_assets.INCEPTION_V3_NOTOP.files[0]
    assert inception.origin == inception_v3.WEIGHTS_PATH_NO_TOP
    assert f'file_hash="{inception.file_hash}"' in inspect.getsource(inception_v3.InceptionV3)
    mobilenet_file = course_assets.MOBILENET_V1_025_224_NOTOP.files[0]
    assert mobilenet_file.origin == mobilenet.BASE_WEIGHT_PATH + mobilenet_file.file_name
