"""Lesson 7's weights files (engine/weights_files.py): random weights only when asked for,
files of another network, cut short or foreign refused in a sentence and leaving nothing
behind, and an upload kept by its contents."""

import pathlib

import numpy
import pytest

from engine import course_assets
from engine import downloads
from engine import frozen_base
from engine import registry
from engine import weights_files

MOBILENET = "MobileNet 0.25"


def all_files(root: pathlib.Path) -> set:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def mobilenet_weights_bytes(classroom_data_dir):
    return registry.asset_path(course_assets.MOBILENET_V1_025_224_NOTOP).read_bytes()


def test_no_pretrained_knowledge_is_the_same_random_network_for_the_same_seed():
    first, again, other = (
        frozen_base.build_frozen_network(MOBILENET, weights=None, seed=seed).model
        for seed in (4, 4, 5))
    numpy.testing.assert_array_equal(first.weights[0].numpy(), again.weights[0].numpy())
    assert not numpy.array_equal(first.weights[0].numpy(), other.weights[0].numpy())


def test_no_weights_means_random_only_when_asked(classroom_data_dir, monkeypatch):
    asked = []

    def offline(key):
        asked.append(key)
        raise downloads.MissingDataError("offline")

    monkeypatch.setattr(downloads, "ensure_asset", offline)
    with pytest.raises(downloads.MissingDataError):
        weights_files.resolve_weights("InceptionV3")  # the default is ImageNet, never random
    assert asked == ["inception-v3-notop"]
    random_weights = weights_files.resolve_weights("InceptionV3", None, seed=3)
    assert random_weights.path is None and random_weights.identity == "random-seed-3"


def test_weights_of_another_network_are_refused_and_leave_nothing(
        classroom_data_dir, mobilenet_weights_bytes, tmp_path):
    before = all_files(classroom_data_dir)
    with pytest.raises(ValueError, match=r"different network: expected InceptionV3 without its "
                                         r"top \(188 layers with weights\), but the file has 54 "
                                         r"layers with weights, which is what MobileNet 0.25 has"):
        weights_files.save_uploaded_weights("InceptionV3", mobilenet_weights_bytes)
    # The same in Keras 3's own weights format, and as a file on this computer.
    keras3_file = tmp_path / "mobilenet.weights.h5"
    weights_files.load_network(MOBILENET, None).save_weights(keras3_file)
    with pytest.raises(ValueError, match=r"expected InceptionV3 without its top \(376 weight "):
        weights_files.save_uploaded_weights("InceptionV3", keras3_file.read_bytes())
    with pytest.raises(ValueError, match="different network: expected InceptionV3"):
        frozen_base.build_frozen_network("InceptionV3", weights=keras3_file)
    assert all_files(classroom_data_dir) == before


def test_cut_short_and_foreign_files_are_refused_and_leave_nothing(
        classroom_data_dir, mobilenet_weights_bytes, tmp_path):
    before = all_files(classroom_data_dir)
    half = mobilenet_weights_bytes[: len(mobilenet_weights_bytes) // 2]
    with pytest.raises(ValueError, match="not a complete weights file.*cut short"):
        weights_files.save_uploaded_weights(MOBILENET, half)
    with pytest.raises(ValueError, match="not a weights file"):
        weights_files.save_uploaded_weights(MOBILENET, b"GIF89a, not weights at all")
    local_file = tmp_path / "cut.h5"
    local_file.write_bytes(half)
    with pytest.raises(ValueError, match="cut short"):
        frozen_base.build_frozen_network(MOBILENET, weights=local_file)
    with pytest.raises(ValueError, match="There is no weights file at"):
        frozen_base.build_frozen_network(MOBILENET, weights=tmp_path / "missing.h5")
    assert all_files(classroom_data_dir) == before


def test_an_uploaded_file_is_kept_by_its_contents(classroom_data_dir, mobilenet_weights_bytes):
    path = weights_files.save_uploaded_weights(MOBILENET, mobilenet_weights_bytes)
    assert path.parent == classroom_data_dir / "uploads" / "weights"
    assert path.name == "mobilenet-0.25-dbdb03ee2a22fd89.h5"  # its sha256, as the registry's
    assert weights_files.save_uploaded_weights(MOBILENET, mobilenet_weights_bytes) == path
    assert [file.name for file in path.parent.iterdir()] == [path.name]  # nothing partial
    frozen = frozen_base.build_frozen_network(MOBILENET, weights=mobilenet_weights_bytes)
    from_data_directory = frozen_base.build_frozen_network(MOBILENET)
    assert frozen.weights.identity == from_data_directory.weights.identity == (
        "sha256:" + course_assets.MOBILENET_V1_025_224_NOTOP.files[0].file_hash)
    for uploaded, original in zip(frozen.model.weights, from_data_directory.model.weights):
        numpy.testing.assert_array_equal(uploaded.numpy(), original.numpy())
