"""Files that exist whole or not at all, for a server where many learners' jobs and pages
read what others write: write under a temporary name beside the file, then rename."""

import contextlib
import os
import pathlib
import secrets


@contextlib.contextmanager
def written_whole(final_path: pathlib.Path):
    """Yields a temporary path beside `final_path` (same folder, same ending, so loaders that
    go by the file name read it alike) for the block to write. When the block ends without an
    exception, renames it to `final_path` in one step (os.replace, atomic within a file
    system): a reader sees the old file or the whole new one, never part of one. The
    temporary file is removed in every case; an exception from the block propagates."""
    partial = final_path.with_name(
        f".partial-{os.getpid()}-{secrets.token_hex(4)}-{final_path.name}")
    try:
        yield partial
        os.replace(partial, final_path)
    finally:
        partial.unlink(missing_ok=True)
