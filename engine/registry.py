"""Where each dataset and weights file of the course lives inside the data directory, and whether
it is there: present, missing, or damaged (its bytes checked against the published hash).

`engine.course_assets` says what the files are and where they come from; `engine.downloads`
fetches what this module finds missing. The status panel and the readiness checks ask here.
"""

import dataclasses
import hashlib
import pathlib
import threading
import zipfile

import cachetools

from engine import course_assets
from engine import hosting


@dataclasses.dataclass(frozen=True)
class AssetStatus:
    key: str
    title: str
    state: str  # "present", "missing" or "corrupt"
    path: pathlib.Path
    size_bytes: int  # what is on disk now
    detail: str  # what was checked, or what is wrong, in a sentence

    @property
    def is_present(self) -> bool:
        return self.state == "present"


# Where files live -----------------------------------------------------------------------------


def asset_folder(asset: course_assets.Asset) -> pathlib.Path:
    """The folder inside the data directory that holds this asset (read on every call, so a
    change of KERAS_CLASSROOM_DATA_DIR takes effect at once)."""
    return hosting.data_dir().joinpath(*asset.location.split("/"))


def file_path(asset: course_assets.Asset, remote_file: course_assets.RemoteFile) -> pathlib.Path:
    """Where a downloaded file is kept. For an archive this is where a teacher may drop the zip
    by hand: the next download run checks and extracts it instead of fetching it."""
    return asset_folder(asset) / remote_file.file_name


def asset_path(asset: course_assets.Asset) -> pathlib.Path:
    """What a lesson opens: the .h5 file for weights, the folder for a dataset."""
    if asset.kind == "weights":
        return file_path(asset, asset.files[0])
    return asset_folder(asset)


def image_folder(dataset_key: str, split: str) -> pathlib.Path:
    """The folder of class folders for one split, e.g. image_folder("horse-or-human", "train")."""
    asset = course_assets.asset_by_key(dataset_key)
    if asset.kind != "image folders":
        raise ValueError(
            f"{asset.title} is not stored as folders of images, so it has no {split!r} folder."
        )
    if split not in asset.splits:
        raise ValueError(
            f"{asset.title} has no split called {split!r}. It has: {', '.join(asset.splits)}."
        )
    return asset_folder(asset) / split


# Checking what is already there ---------------------------------------------------------------

# Hashing 90 MB of weights takes a moment, and the status panel asks often, so a digest is reused
# while the file's size and modification time stay the same. Every uploaded weights file adds
# one, so the memo keeps the most recently used only (cachetools; a lock, since sessions hash
# in threads of their own).
_digest_memo = cachetools.LRUCache(maxsize=1024)
_digest_memo_lock = threading.Lock()


def file_digest(path: pathlib.Path, algorithm: str) -> str:
    """The file's hex digest by `algorithm` (a hashlib name), remembered for the same size and
    modification time."""
    details = path.stat()
    memo_key = (str(path.resolve()), details.st_size, details.st_mtime_ns, algorithm)
    with _digest_memo_lock:
        known = _digest_memo.get(memo_key)
    if known is not None:
        return known
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            hasher.update(block)
    digest = hasher.hexdigest()
    with _digest_memo_lock:
        _digest_memo[memo_key] = digest
    return digest


def bytes_problem(path: pathlib.Path, remote_file: course_assets.RemoteFile) -> str | None:
    """None when the file at `path` is the published one, else what is wrong with it."""
    if remote_file.file_hash is not None:
        if file_digest(path, remote_file.hash_algorithm) != remote_file.file_hash:
            return f"its {remote_file.hash_algorithm} does not match the expected value"
    elif remote_file.size_bytes is not None and path.stat().st_size != remote_file.size_bytes:
        return f"it has {path.stat().st_size:,} bytes instead of {remote_file.size_bytes:,}"
    if remote_file.is_archive and not zipfile.is_zipfile(path):
        return "it is not a zip file"
    if remote_file.is_archive:
        with zipfile.ZipFile(path) as archive:
            if archive.testzip() is not None:  # the zip's own CRC-32 of every member
                return "some files inside the zip are damaged"
    return None


def part_problem(asset: course_assets.Asset, remote_file: course_assets.RemoteFile) -> str | None:
    """None when this part of the asset is ready, "missing", or what is damaged."""
    if not remote_file.is_archive:
        path = file_path(asset, remote_file)
        if not path.exists():
            return "missing"
        problem = bytes_problem(path, remote_file) if path.is_file() else "it is not a file"
        return f"{remote_file.file_name} is damaged: {problem}" if problem else None
    splits = [folder.split for folder in remote_file.extracts]
    if not any((asset_folder(asset) / split).exists() for split in splits):
        return "missing"
    for split in splits:
        for class_name in asset.class_names:
            class_folder = asset_folder(asset) / split / class_name
            if not class_folder.is_dir() or not any(class_folder.iterdir()):
                return f"the folder {split}/{class_name} is missing or empty"
    return None


def size_on_disk(path: pathlib.Path) -> int:
    """Bytes of the file, or of every file below the folder; 0 when nothing is there."""
    try:
        if path.is_dir():
            return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
        return path.stat().st_size
    except FileNotFoundError:  # not there, or removed while we looked
        return 0


def asset_status(asset: course_assets.Asset | str) -> AssetStatus:
    """Whether an asset is ready, checking the hash of every file already present."""
    asset = course_assets.asset_by_key(asset) if isinstance(asset, str) else asset
    problems = [part_problem(asset, remote_file) for remote_file in asset.files]
    damaged = [problem for problem in problems if problem not in (None, "missing")]
    if damaged:
        state, detail = "corrupt", "; ".join(damaged) + "."
    elif "missing" in problems:
        state = "missing"
        missing = [file.file_name for file, problem in zip(asset.files, problems) if problem]
        detail = f"Not downloaded yet: {', '.join(missing)}."
    elif asset.kind == "image folders":
        state = "present"
        detail = f"Class folders {', '.join(asset.class_names)} found in {', '.join(asset.splits)}."
    else:
        state = "present"
        algorithms = sorted({file.hash_algorithm or "size" for file in asset.files})
        detail = f"{' and '.join(algorithms)} of every file matches the registry."
    if asset.kind == "weights":
        paths = [asset_path(asset)]
    else:
        paths = [file_path(asset, file) for file in asset.files if not file.is_archive]
        paths += [asset_folder(asset) / split for split in asset.splits]
    size = sum(size_on_disk(path) for path in paths)
    return AssetStatus(asset.key, asset.title, state, asset_path(asset), size, detail)


def all_statuses() -> list[AssetStatus]:
    """One status per registry entry, in course order, for the status panel."""
    return [asset_status(asset) for asset in course_assets.ASSETS]
