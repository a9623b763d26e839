"""What a failed download says: to a teacher, one paragraph naming what is missing, why, where
to put it and how to fetch everything; to a learner, one sentence without any server path.
`engine.downloads` raises MissingDataError with both.
"""

import errno
import http.client
import os
import socket
import urllib.error
import urllib.parse
import zipfile

from engine import hosting
from engine import registry

PRE_DOWNLOAD_COMMAND = "python -m engine.downloads"


class BadDownloadError(RuntimeError):
    """The bytes that arrived are not the published file (wrong hash, cut short, bad zip)."""



def _causes(error):
    while error is not None:
        yield error
        if isinstance(getattr(error, "reason", None), BaseException):
            yield error.reason
        error = error.__cause__ or error.__context__


def plain_reason(error: BaseException) -> str:
    """The network or file error in a few words a teacher understands."""
    for cause in _causes(error):
        if isinstance(cause, BadDownloadError):
            return str(cause)
        if isinstance(cause, (urllib.error.ContentTooShortError, http.client.IncompleteRead)):
            return "the connection closed before the whole file arrived"
        if isinstance(cause, zipfile.BadZipFile):
            return "the zip that arrived is damaged"
        if isinstance(cause, urllib.error.HTTPError):
            return f"the server answered HTTP {cause.code} {cause.reason}"
        if isinstance(cause, socket.gaierror):
            return "the server's name could not be looked up; this computer seems to be offline"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused"
        if isinstance(cause, (TimeoutError, socket.timeout)):
            return "the connection timed out"
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return "the disk is full"
        if isinstance(cause, PermissionError):
            return "the data folder cannot be written"
        if isinstance(cause, ValueError) and "hash" in str(cause):
            return "the file that arrived does not match its expected hash"
    return " ".join(str(error).split())[:200] or type(error).__name__


def _and_list(words) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def learner_message(asset, source) -> str:
    """One sentence for a lesson page: what is missing and who can fetch it, no server path."""
    host = urllib.parse.urlsplit(source).netloc or "a file on this computer"
    return (f"{asset.title} is not on this server yet, and fetching it from {host} failed: "
            f"whoever runs the app can get everything the course uses with "
            f"`python -m engine.prepare` on a computer with internet (the home page lists what "
            f"is missing).")


def missing_data_message(asset, pending, source, reason) -> str:
    """One paragraph: what is missing, why, where to put it, how to fetch everything."""
    files = [file for file, _ in pending]
    names = _and_list([file.file_name for file in files])
    states = []
    for adjective, chosen in (("missing", True), ("damaged", False)):
        found = [file.file_name for file, problem in pending if (problem == "missing") == chosen]
        if found:
            states.append(f"{_and_list(found)} {'is' if len(found) == 1 else 'are'} {adjective}")
    if len(states) == 2:
        what = " and ".join(states) + "; fresh copies"
    else:
        what = states[0] + (" and" if "missing" in states[0] else " and a fresh copy")
    host = urllib.parse.urlsplit(source).netloc or "a file on this computer"
    common = os.path.commonprefix([file.origin for file in files])
    origin = common[: common.rfind("/") + 1]  # e.g. https://storage.googleapis.com/.../data/
    if len(files) == 1 or urllib.parse.urlsplit(origin).path in ("", "/"):
        origin = _and_list([file.origin for file in files])
    folder = registry.asset_folder(asset)
    if files[0].is_archive:
        splits = _and_list([str(folder / part.split) for file in files for part in file.extracts])
        where = (
            f"put {names} (from {origin}) in {folder}{os.sep}, where each zip is checked and "
            f"unpacked the next time it is needed (or unpack it yourself so that the folders "
            f"{_and_list(asset.class_names)} sit in {splits})"
        )
    elif len(files) == 1:
        where = f"put {names} (from {origin}) at {registry.file_path(asset, files[0])}"
    else:
        where = f"put {names} (from {origin}) in {folder}{os.sep}"
    return (
        f"{asset.title} is not ready: {what} could not be downloaded from {host} ({reason}). "
        f"To fix this, {where}; or run `{PRE_DOWNLOAD_COMMAND}` on a computer with internet to "
        f"fetch everything the course uses into {hosting.data_dir()}, then copy that folder "
        f"here. To use a folder that already holds the course data, set the environment variable "
        f"{hosting.DATA_DIR_VARIABLE} to it before starting the app."
    )
