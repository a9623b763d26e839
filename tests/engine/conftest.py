"""Fixtures of the upload tests (test_uploads.py, test_zip_entries.py): a folder to unpack into,
the per-upload folders made, and a refusal that must leave nothing behind."""

import pathlib
import tempfile

import pytest

from engine import uploads


@pytest.fixture
def upload_root(tmp_path):
    """The destination root, two folders down, so an escape upwards would land in tmp_path."""
    root = tmp_path / "jail" / "uploads"
    root.mkdir(parents=True)
    return root


@pytest.fixture
def made_folders(monkeypatch):
    """Every folder made with tempfile.mkdtemp during the test, i.e. the per-upload folders."""
    made = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        made.append(pathlib.Path(real_mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    return made


@pytest.fixture
def refuse(tmp_path, upload_root, made_folders):
    """Extract expecting a ValueError, then check that nothing was left anywhere: not the
    per-upload folder (if one was made), nor anything outside it. Returns the message."""

    def refuse_upload(zip_bytes, **limits):
        with pytest.raises(ValueError) as refusal:
            uploads.extract_class_folders(zip_bytes, upload_root, **limits)
        assert not any(folder.exists() for folder in made_folders)
        assert sorted(tmp_path.rglob("*")) == [tmp_path / "jail", upload_root]
        return str(refusal.value)

    return refuse_upload
