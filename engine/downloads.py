"""Fetch the course's datasets and weights into the data directory, check them (with
engine/registry), and say plainly what to do when a download is impossible (the words are in
engine/download_messages.py).

A classroom without internet runs this once on a machine that has it:

    python -m engine.downloads            # fetch everything, then show what is ready
    python -m engine.downloads --list     # only show what is ready
    python -m engine.downloads --only fashion-mnist horse-or-human

Downloads go through `keras.utils.get_file`, but never straight to their final place: get_file
deletes its file when the connection fails, yet it keeps a file whose hash does not match, it
cannot notice a cut-off download when the server sent no length and no hash is known, and it
unpacks archives in place. So every download and unpacking happens in a private folder under
`<data dir>/.incomplete/`, is checked there, and only then is renamed into place (a rename within
one disk is atomic). Whatever fails or is interrupted leaves its private folder, never a
half-written file or folder where the lessons look.
"""

import argparse
import os
import pathlib
import secrets
import shutil
import sys
import threading
import time

import keras

from engine import course_assets
from engine import download_messages
from engine import hosting
from engine import registry

STAGING_FOLDER = ".incomplete"
STALE_STAGING_SECONDS = 24 * 60 * 60

# One Streamlit server serves many students at once: let only one of them fetch a given asset.
_asset_locks: dict[str, threading.Lock] = {}
_asset_locks_guard = threading.Lock()


class MissingDataError(RuntimeError):
    """A dataset or weights file is not in the data directory and could not be fetched. The
    message is one paragraph a teacher can act on (it names the server's folders);
    `learner_message` is the sentence a lesson page shows, without any server path."""

    def __init__(self, message: str, learner_message: str = None):
        super().__init__(message)
        self.learner_message = learner_message or message


# Fetching what is missing ---------------------------------------------------------------------


def ensure_asset(asset: course_assets.Asset | str, progress=None) -> pathlib.Path:
    """Make sure an asset is in the data directory, downloading what is missing or damaged, and
    return its path (the .h5 file for weights, the folder for a dataset).

    `progress`, when given, is called as progress(file_name, bytes_so_far, total_bytes_or_None)
    from the calling thread while a file downloads. Raises MissingDataError when it cannot."""
    asset = course_assets.asset_by_key(asset) if isinstance(asset, str) else asset
    with _asset_locks_guard:
        lock = _asset_locks.setdefault(asset.key, threading.Lock())
    with lock:
        _remove_abandoned_staging()
        for remote_file in asset.files:
            if registry.part_problem(asset, remote_file) is None:
                continue
            failure = _install(asset, remote_file, progress)
            if failure is not None:
                source, error = failure
                pending = [(file, problem) for file in asset.files
                           if (problem := registry.part_problem(asset, file)) is not None]
                reason = download_messages.plain_reason(error)
                message = download_messages.missing_data_message(asset, pending, source, reason)
                learner = download_messages.learner_message(asset, source)
                raise MissingDataError(message, learner) from error
    return registry.asset_path(asset)


def _install(asset, remote_file, progress):
    """Try each source in turn; return None once one worked, else (source, error) to report."""
    sources = [remote_file.origin, *remote_file.mirrors]
    dropped_archive = registry.file_path(asset, remote_file)
    if remote_file.is_archive and dropped_archive.is_file():
        # A teacher copied the zip in by hand: check and unpack it like a download.
        sources.insert(0, dropped_archive.resolve().as_uri())
    failures = []
    for source in sources:
        try:
            _install_from(asset, remote_file, source, progress)
            return None
        except Exception as error:  # a failed source is reported after trying the others
            failures.append((source, error))
    # The network error says more to a teacher than a rejected hand-copied zip does.
    origin_failures = [pair for pair in failures if not pair[0].startswith("file:")]
    return (origin_failures or failures)[0]


def _install_from(asset, remote_file, source, progress):
    staging = _data_dir() / STAGING_FOLDER / f"{asset.key}-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        staging.mkdir(parents=True)
        downloaded = staging / "download" / remote_file.file_name

        def download():
            return keras.utils.get_file(
                fname=remote_file.file_name,
                origin=source,
                file_hash=remote_file.file_hash,
                hash_algorithm=remote_file.hash_algorithm or "auto",
                cache_dir=str(staging),
                cache_subdir="download",
                extract=remote_file.is_archive,
                archive_format="zip" if remote_file.file_name.endswith(".zip") else "auto",
            )

        result = pathlib.Path(_call_reporting_progress(download, downloaded, remote_file, progress))
        if not result.resolve().is_relative_to(staging.resolve()):
            # get_file falls back to /tmp/.keras when its folder is not writable.
            raise download_messages.BadDownloadError("the data folder cannot be written")
        problem = registry.bytes_problem(downloaded, remote_file)
        if problem:
            raise download_messages.BadDownloadError(
                f"the file that arrived is not the published one: {problem}")
        if remote_file.is_archive:
            _move_splits_into_place(asset, remote_file, result, staging)
        else:
            final_path = registry.file_path(asset, remote_file)
            final_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(downloaded, final_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.parent.rmdir()  # keep the data directory tidy once nothing is in progress
        except OSError:
            pass


def _call_reporting_progress(download, downloaded, remote_file, progress):
    """Run get_file, calling progress() from this thread while the file grows. (get_file takes
    no progress callback, and a Streamlit page may only draw from its own thread.)"""
    if progress is None:
        return download()  # get_file prints its own progress bar
    outcome = {}

    def run():
        try:
            outcome["result"] = download()
        except BaseException as error:
            outcome["error"] = error

    # If this thread is interrupted the worker finishes on its own, inside the staging folder.
    worker = threading.Thread(target=run, name=f"download {remote_file.file_name}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(timeout=0.2)
        progress(remote_file.file_name, registry.size_on_disk(downloaded), remote_file.size_bytes)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _move_splits_into_place(asset, remote_file, extracted, staging):
    # First gather every split, keeping only the class folders (zips made on a Mac also carry
    # __MACOSX/, which would become an extra class); then rename each into place.
    ready = staging / "ready"
    for archive_folder in remote_file.extracts:
        source = extracted.joinpath(*archive_folder.folder_in_archive.split("/"))
        for class_name in asset.class_names:
            class_folder = source / class_name
            if not class_folder.is_dir() or not any(class_folder.iterdir()):
                inside = f"{archive_folder.folder_in_archive}/{class_name}".lstrip("/")
                raise download_messages.BadDownloadError(
                    f"the zip has no folder {inside} with images in it")
            (ready / archive_folder.split).mkdir(parents=True, exist_ok=True)
            os.replace(class_folder, ready / archive_folder.split / class_name)
    for archive_folder in remote_file.extracts:
        final_folder = registry.asset_folder(asset) / archive_folder.split
        final_folder.parent.mkdir(parents=True, exist_ok=True)
        if final_folder.exists():  # an incomplete copy: set it aside, deleted with the staging
            os.replace(final_folder, staging / f"replaced-{archive_folder.split}")
        os.replace(ready / archive_folder.split, final_folder)


def _remove_abandoned_staging():
    """Delete staging folders left by processes that died mid-download."""
    for folder in (_data_dir() / STAGING_FOLDER).glob("*-*-*"):
        process_id = folder.name.split("-")[-2]
        if os.name == "posix" and process_id.isdigit():
            try:
                os.kill(int(process_id), 0)  # signal 0 only asks whether the process exists
                continue
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
        elif time.time() - _modified_time(folder) < STALE_STAGING_SECONDS:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _modified_time(path: pathlib.Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process just removed it
        return time.time()


def _data_dir() -> pathlib.Path:
    return hosting.data_dir()


# Command line ---------------------------------------------------------------------------------


def _status_table(statuses) -> str:
    header = f"{'name':<30} {'state':<8} {'size':>9}  path"
    lines = [header, "-" * len(header)]
    for status in statuses:
        size = f"{status.size_bytes / 1e6:,.1f} MB"
        lines.append(f"{status.key:<30} {status.state:<8} {size:>9}  {status.path}")
        if not status.is_present:
            lines.append(f"{'':<30} {status.detail}")
    return "\n".join(lines)


def main(argv=None, assets=course_assets.ASSETS) -> int:
    parser = argparse.ArgumentParser(
        prog=download_messages.PRE_DOWNLOAD_COMMAND,
        description="Download and check every dataset and weights file the course uses.",
    )
    parser.add_argument("--only", nargs="+", metavar="KEY", choices=[a.key for a in assets],
                        help="fetch only these (names as shown by --list)")
    parser.add_argument("--list", action="store_true", help="show what is ready; fetch nothing")
    arguments = parser.parse_args(argv)
    chosen = [asset for asset in assets if not arguments.only or asset.key in arguments.only]

    print(f"Data directory: {_data_dir()} (set {hosting.DATA_DIR_VARIABLE} to use another)")
    failures = []
    if not arguments.list:
        for asset in chosen:
            print(f"\n{asset.title}")
            try:
                print(f"ready: {ensure_asset(asset)}")
            except MissingDataError as error:
                failures.append(str(error))
    print("\n" + _status_table([registry.asset_status(asset) for asset in chosen]))
    for failure in failures:
        print("\n" + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
