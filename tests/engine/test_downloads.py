"""engine.downloads through its real code path: keras.utils.get_file fetching from a small HTTP
server on 127.0.0.1, with registry entries pointed at it. Then the real offline data."""

import dataclasses
import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import threading
import zipfile

import numpy
import PIL.Image
import pytest

from engine import course_assets
from engine import datasets
from engine import downloads
from engine import hosting
from engine import registry

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CourseFileHandler(http.server.BaseHTTPRequestHandler):
    """GET /<mode>/<name>. Modes: "whole"; "cut", which promises the full length and closes half
    way; "cut-unknown-length", which sends no length and closes half way."""

    def do_GET(self):
        mode, _, name = self.path.lstrip("/").partition("/")
        body = self.server.files.get(name)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        if mode != "cut-unknown-length":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if mode == "whole" else body[: len(body) // 2])
        self.close_connection = True

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def file_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CourseFileHandler)
    server.daemon_threads = True
    server.files = {}
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.url = lambda mode, name: f"http://127.0.0.1:{server.server_address[1]}/{mode}/{name}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def closed_port_url(name):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"  # nothing listens there any more


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def served_weights(origin, body, file_hash="same as body"):
    """The MobileNet registry entry, pointed at `origin` and at the bytes `body`."""
    base = course_assets.MOBILENET_V1_025_224_NOTOP
    remote = dataclasses.replace(
        base.files[0],
        origin=origin,
        size_bytes=len(body),
        file_hash=sha256(body) if file_hash == "same as body" else file_hash,
    )
    return dataclasses.replace(base, files=(remote,))


def png_bytes(shade):
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (8, 8), (shade, shade, shade)).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def served_archives(base, server, bodies, hashed=True):
    """`base` with each archive served by `server`; bodies maps file name to zip bytes."""
    files = []
    for remote in base.files:
        body = bodies[remote.file_name]
        server.files[remote.file_name] = body
        files.append(
            dataclasses.replace(
                remote,
                origin=server.url("whole", remote.file_name),
                mirrors=(),
                size_bytes=len(body),
                file_hash=sha256(body) if hashed else None,
                hash_algorithm="sha256" if hashed else None,
            )
        )
    return dataclasses.replace(base, files=tuple(files))


def staging_leftovers(data_dir):
    staging = data_dir / downloads.STAGING_FOLDER
    return sorted(path.name for path in staging.iterdir()) if staging.exists() else []


def test_download_is_verified_and_lands_at_its_final_path(empty_data_dir, file_server):
    body = os.urandom(300_000)
    file_server.files["weights.h5"] = body
    asset = served_weights(file_server.url("whole", "weights.h5"), body)
    progress_calls = []

    path = downloads.ensure_asset(asset, progress=lambda *call: progress_calls.append(call))

    assert path == empty_data_dir / "models" / "mobilenet_2_5_224_tf_no_top.h5"
    assert path.read_bytes() == body
    assert registry.asset_status(asset).state == "present"
    assert progress_calls[-1] == ("mobilenet_2_5_224_tf_no_top.h5", len(body), len(body))
    assert staging_leftovers(empty_data_dir) == []


def test_a_hash_mismatch_is_refused_and_nothing_is_left(empty_data_dir, file_server):
    body = os.urandom(50_000)
    file_server.files["weights.h5"] = body
    asset = served_weights(file_server.url("whole", "weights.h5"), body, sha256(b"other bytes"))

    with pytest.raises(downloads.MissingDataError, match="does not match its expected hash"):
        downloads.ensure_asset(asset)

    assert not registry.asset_path(asset).exists()
    assert staging_leftovers(empty_data_dir) == []


@pytest.mark.parametrize("mode", ["cut", "cut-unknown-length"])
def test_a_connection_closed_mid_file_leaves_nothing_half_written(
    empty_data_dir, file_server, mode
):
    body = os.urandom(200_000)
    file_server.files["weights.h5"] = body
    asset = served_weights(file_server.url(mode, "weights.h5"), body)

    with pytest.raises(downloads.MissingDataError) as raised:
        downloads.ensure_asset(asset)

    expected_reason = {
        "cut": "the connection closed before the whole file arrived",
        "cut-unknown-length": "does not match its expected hash",
    }[mode]
    assert expected_reason in str(raised.value)
    assert not registry.asset_path(asset).exists()
    assert staging_leftovers(empty_data_dir) == []


def test_zips_extract_into_one_folder_of_class_folders_per_split(empty_data_dir, file_server):
    # The real zips hold horses/ and humans/ at their top; Mac-made zips add __MACOSX/.
    train_zip = zip_bytes(
        {
            "horses/horse01-0.png": png_bytes(10),
            "horses/horse01-1.png": png_bytes(20),
            "humans/human01-00.png": png_bytes(30),
            "__MACOSX/horses/._horse01-0.png": b"resource fork",
        }
    )
    validation_zip = zip_bytes(
        {"horses/horse1-000.png": png_bytes(40), "humans/valhuman01-00.png": png_bytes(50)}
    )
    bodies = {"horse-or-human.zip": train_zip, "validation-horse-or-human.zip": validation_zip}
    asset = served_archives(course_assets.HORSE_OR_HUMAN, file_server, bodies)

    downloads.ensure_asset(asset)

    train_folder = registry.image_folder("horse-or-human", "train")
    assert train_folder == empty_data_dir / "datasets" / "horse-or-human" / "train"
    assert sorted(path.name for path in train_folder.iterdir()) == ["horses", "humans"]
    assert len(list((train_folder / "horses").iterdir())) == 2
    validation_folder = registry.image_folder("horse-or-human", "validation")
    assert sorted(path.name for path in validation_folder.iterdir()) == ["horses", "humans"]
    assert registry.asset_status(asset).state == "present"
    assert staging_leftovers(empty_data_dir) == []


def test_a_zip_with_a_top_folder_and_no_published_hash(empty_data_dir, file_server):
    members = {"cats_and_dogs_filtered/vectorize.py": b"print('not an image')\n"}
    for split, first_number in (("train", 0), ("validation", 2000)):
        for animal in ("cat", "dog"):
            name = f"cats_and_dogs_filtered/{split}/{animal}s/{animal}.{first_number}.jpg"
            members[name] = png_bytes(first_number % 250)
    bodies = {"cats_and_dogs_filtered.zip": zip_bytes(members)}
    asset = served_archives(course_assets.CATS_AND_DOGS_FILTERED, file_server, bodies, hashed=False)

    downloads.ensure_asset(asset)

    dataset_folder = empty_data_dir / "datasets" / "cats_and_dogs_filtered"
    assert sorted(path.name for path in dataset_folder.iterdir()) == ["train", "validation"]
    assert (dataset_folder / "validation" / "dogs" / "dog.2000.jpg").is_file()
    assert registry.asset_status(asset).state == "present"


def test_a_damaged_zip_without_published_hash_is_refused(empty_data_dir, file_server):
    # Stored (not compressed) so that one changed byte inside an image keeps the zip readable
    # and the same size: only the zip's own CRC-32 can tell.
    image = png_bytes(99)
    body = bytearray(zip_bytes({f"cats_and_dogs_filtered/{split}/{animal}/a.jpg": image
                                for split in ("train", "validation")
                                for animal in ("cats", "dogs")}, zipfile.ZIP_STORED))
    position = bytes(body).index(image) + len(image) // 2
    body[position] ^= 0xFF
    bodies = {"cats_and_dogs_filtered.zip": bytes(body)}
    asset = served_archives(course_assets.CATS_AND_DOGS_FILTERED, file_server, bodies, hashed=False)

    with pytest.raises(downloads.MissingDataError, match="damaged"):
        downloads.ensure_asset(asset)

    assert not (empty_data_dir / "datasets" / "cats_and_dogs_filtered" / "train").exists()
    assert staging_leftovers(empty_data_dir) == []


def test_a_zip_copied_in_by_hand_is_checked_and_unpacked_offline(empty_data_dir, file_server):
    body = zip_bytes({"rps/rock/r.png": png_bytes(1), "rps/paper/p.png": png_bytes(2),
                      "rps/scissors/s.png": png_bytes(3)})
    asset = served_archives(course_assets.ROCK_PAPER_SCISSORS, file_server,
                            {"rps.zip": body, "rps-test-set.zip": b"unused"})
    train_file = dataclasses.replace(asset.files[0], origin=closed_port_url("rps.zip"))
    asset = dataclasses.replace(asset, files=(train_file,))
    dropped = registry.file_path(asset, train_file)
    dropped.parent.mkdir(parents=True)
    dropped.write_bytes(body)

    downloads.ensure_asset(asset)

    train_folder = registry.image_folder("rps", "train")
    assert sorted(path.name for path in train_folder.iterdir()) == ["paper", "rock", "scissors"]


def unreachable(asset):
    """`asset` with every file's origin at a closed local port and no mirrors."""
    files = [dataclasses.replace(file, origin=closed_port_url(file.file_name), mirrors=())
             for file in asset.files]
    return dataclasses.replace(asset, files=tuple(files))


@pytest.mark.parametrize(
    "asset, where",
    [
        (course_assets.MOBILENET_V1_025_224_NOTOP, "models/mobilenet_2_5_224_tf_no_top.h5"),
        (course_assets.FASHION_MNIST, "datasets/fashion-mnist/"),
        (course_assets.HORSE_OR_HUMAN, "datasets/horse-or-human/validation"),
    ],
    ids=["one weights file", "four dataset files", "two zips"],
)
def test_an_unreachable_origin_gives_one_paragraph_a_teacher_can_act_on(
    empty_data_dir, asset, where
):
    with pytest.raises(downloads.MissingDataError) as raised:
        downloads.ensure_asset(unreachable(asset))

    message = str(raised.value)
    assert isinstance(raised.value, RuntimeError)
    assert "\n" not in message
    assert message.startswith(asset.title + " is not ready")
    assert "the connection was refused" in message
    assert str(empty_data_dir / where) in message
    for file in asset.files:
        assert file.file_name in message
    assert "python -m engine.downloads" in message
    assert hosting.DATA_DIR_VARIABLE in message
    assert not (empty_data_dir / downloads.STAGING_FOLDER).exists()
    assert registry.asset_status(asset).state == "missing"


def test_a_corrupt_file_already_present_is_reported_then_replaced(empty_data_dir, file_server):
    body = os.urandom(40_000)
    file_server.files["weights.h5"] = body
    asset = served_weights(file_server.url("whole", "weights.h5"), body)
    registry.asset_path(asset).parent.mkdir(parents=True)
    registry.asset_path(asset).write_bytes(body[:-1] + b"!")

    status = registry.asset_status(asset)
    assert status.state == "corrupt"
    assert "sha256 does not match" in status.detail

    downloads.ensure_asset(asset)
    assert registry.asset_path(asset).read_bytes() == body


def test_staging_left_by_a_dead_process_is_removed(empty_data_dir, file_server):
    finished_process = subprocess.Popen([sys.executable, "-c", "pass"])
    finished_process.wait()
    abandoned = empty_data_dir / downloads.STAGING_FOLDER / f"rps-{finished_process.pid}-0000"
    (abandoned / "download").mkdir(parents=True)
    body = b"weights"
    file_server.files["weights.h5"] = body

    downloads.ensure_asset(served_weights(file_server.url("whole", "weights.h5"), body))

    assert not abandoned.exists()


def test_the_command_line_exits_non_zero_with_the_paragraph(empty_data_dir, capsys):
    asset = served_weights(closed_port_url("weights.h5"), b"never served")

    exit_code = downloads.main(["--only", asset.key], assets=(asset,))

    output = capsys.readouterr()
    assert exit_code == 1
    assert "missing" in output.out
    assert "python -m engine.downloads" in output.err


# On the real offline data ---------------------------------------------------------------------


def test_the_real_data_is_present_and_verified(classroom_data_dir):
    statuses = {status.key: status for status in registry.all_statuses()}

    for key in ("fashion-mnist", "horse-or-human", "cats_and_dogs_filtered",
                "mobilenet-v1-0.25-224-notop"):
        assert statuses[key].state == "present", statuses[key].detail
        assert statuses[key].path.is_relative_to(classroom_data_dir)
        assert statuses[key].size_bytes > 0
    assert "sha256" in statuses["fashion-mnist"].detail
    assert statuses["rps"].state == "missing"
    assert statuses["inception-v3-notop"].state == "missing"


def test_load_fashion_mnist_matches_the_keras_format(classroom_data_dir):
    (train_images, train_labels), (test_images, test_labels) = datasets.load_fashion_mnist()

    assert train_images.shape == (60000, 28, 28) and train_labels.shape == (60000,)
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    for array in (train_images, train_labels, test_images, test_labels):
        assert array.dtype == numpy.uint8
    assert numpy.bincount(train_labels).tolist() == [6000] * 10
    assert numpy.bincount(test_labels).tolist() == [1000] * 10
    assert len(datasets.FASHION_MNIST_CLASS_NAMES) == 10


def test_load_fashion_mnist_equals_keras_own_loader(classroom_data_dir, tmp_path):
    # The data directory copies Keras' cache layout, so Keras' loader can read it as KERAS_HOME.
    keras_home = tmp_path / "keras-home"
    keras_home.mkdir()
    (keras_home / "datasets").symlink_to(classroom_data_dir / "datasets")
    script = (
        "import hashlib, keras\n"
        "arrays = [a for pair in keras.datasets.fashion_mnist.load_data() for a in pair]\n"
        "print(' '.join(hashlib.sha256(a.tobytes()).hexdigest() for a in arrays))\n"
    )
    environment = {**os.environ, "KERAS_HOME": str(keras_home), "TF_CPP_MIN_LOG_LEVEL": "3"}
    keras_run = subprocess.run([sys.executable, "-c", script], env=environment,
                               capture_output=True, text=True, timeout=300, check=True)

    ours = [array for pair in datasets.load_fashion_mnist() for array in pair]
    our_digests = [hashlib.sha256(array.tobytes()).hexdigest() for array in ours]
    assert keras_run.stdout.split() == our_digests


def test_the_command_line_lists_what_is_ready(classroom_data_dir):
    listing = subprocess.run(
        [sys.executable, "-m", "engine.downloads", "--list"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )

    assert listing.returncode == 0, listing.stderr
    assert str(classroom_data_dir) in listing.stdout
    rows = {line.split()[0]: line.split()[1] for line in listing.stdout.splitlines()
            if line.split() and line.split()[0] in {asset.key for asset in course_assets.ASSETS}}
    assert rows["fashion-mnist"] == "present"
    assert rows["rps"] == "missing"
