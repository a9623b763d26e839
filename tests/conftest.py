"""Data directories for the tests.

`classroom_data_dir` builds, once per session, a data directory in the registry's layout from the
real offline data kept next to the repository (`<repo>/../shared/data`, see its README), and
points KERAS_CLASSROOM_DATA_DIR at it. That data is never copied into the repository. When it is
absent the tests that need it are skipped, except under CI, where its absence is a failure.

`empty_data_dir` gives one test a fresh, empty data directory, e.g. to see the offline message.
"""

import os
import pathlib
import shutil
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()

# The tests import engine.*; make that work however pytest was started.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from engine import course_assets  # noqa: E402  (needs the path above)
from engine import hosting  # noqa: E402
from engine import registry  # noqa: E402
# Under CI a skipped test fails unless allowed (see tests/skip_policy.py); pytest finds
# hooks by their names in this module, so importing them registers them.
from tests.skip_policy import pytest_make_collect_report  # noqa: E402,F401
from tests.skip_policy import pytest_runtest_makereport  # noqa: E402,F401

TRAIN_IMAGES_PARTS = ("train-images-idx3-ubyte.gz.part00", "train-images-idx3-ubyte.gz.part01")
# Which registry entries the shared folder holds, and under which of its own folder names.
SHARED_IMAGE_FOLDERS = {
    "horse-or-human": "horse-or-human",
    "cats_and_dogs_filtered": "cats_and_dogs_filtered",
}
SHARED_WEIGHTS = {"mobilenet-v1-0.25-224-notop": "weights"}


def _expected_shared_paths():
    fashion = SHARED_DATA / "fashion_mnist"
    paths = [fashion / name for name in TRAIN_IMAGES_PARTS]
    paths += [
        fashion / file.file_name
        for file in course_assets.FASHION_MNIST.files
        if file.file_name != "train-images-idx3-ubyte.gz"
    ]
    for key, folder in SHARED_IMAGE_FOLDERS.items():
        asset = course_assets.asset_by_key(key)
        paths += [SHARED_DATA / folder / split for split in asset.splits]
    for key, folder in SHARED_WEIGHTS.items():
        paths += [SHARED_DATA / folder / course_assets.asset_by_key(key).files[0].file_name]
    return paths


def _require_shared_data():
    missing = [path for path in _expected_shared_paths() if not path.exists()]
    if not missing:
        return
    reason = (
        f"The offline course data is not at {SHARED_DATA} (first missing: {missing[0]}). "
        "Tests on real data need it; see that folder's README."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " Under CI this data must be present.", pytrace=False)
    pytest.skip(reason)


def _build_classroom_data(root: pathlib.Path):
    """Lay the shared data out the way engine.registry expects it under `root`."""
    fashion_folder = registry.asset_folder(course_assets.FASHION_MNIST)
    fashion_folder.mkdir(parents=True)
    for file in course_assets.FASHION_MNIST.files:
        target = fashion_folder / file.file_name
        if file.file_name == "train-images-idx3-ubyte.gz":
            # Stored as two halves to keep each file under 20 MB; join them back.
            with open(target, "wb") as joined:
                for part in TRAIN_IMAGES_PARTS:
                    with open(SHARED_DATA / "fashion_mnist" / part, "rb") as half:
                        shutil.copyfileobj(half, joined)
        else:
            shutil.copy2(SHARED_DATA / "fashion_mnist" / file.file_name, target)

    for key, folder in SHARED_IMAGE_FOLDERS.items():
        asset = course_assets.asset_by_key(key)
        for split in asset.splits:
            shutil.copytree(SHARED_DATA / folder / split, registry.image_folder(key, split))

    for key, folder in SHARED_WEIGHTS.items():
        asset = course_assets.asset_by_key(key)
        target = registry.asset_path(asset)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SHARED_DATA / folder / asset.files[0].file_name, target)
    assert registry.asset_folder(course_assets.FASHION_MNIST).is_relative_to(root)


@pytest.fixture(scope="session")
def classroom_data_dir(tmp_path_factory):
    """A data directory holding the real offline data, set as KERAS_CLASSROOM_DATA_DIR for the
    rest of the session (also seen by subprocesses) and restored afterwards."""
    _require_shared_data()
    root = tmp_path_factory.mktemp("classroom-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(hosting.DATA_DIR_VARIABLE, str(root))
        _build_classroom_data(root)
        yield root


@pytest.fixture
def empty_data_dir(tmp_path, monkeypatch):
    """A fresh, empty data directory set as KERAS_CLASSROOM_DATA_DIR for one test."""
    root = tmp_path / "empty-data"
    root.mkdir()
    monkeypatch.setenv(hosting.DATA_DIR_VARIABLE, str(root))
    return root
