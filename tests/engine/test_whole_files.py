import pytest

from engine import whole_files


def test_the_file_appears_whole_when_the_block_ends(tmp_path):
    final = tmp_path / "features.npz"
    final.write_text("old")
    with whole_files.written_whole(final) as partial:
        assert partial.parent == tmp_path and partial.name.endswith("features.npz")
        partial.write_text("new")
        assert final.read_text() == "old"  # a reader meanwhile sees the old file
    assert final.read_text() == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["features.npz"]


def test_a_failed_block_leaves_the_old_file_and_no_partial(tmp_path):
    final = tmp_path / "progress.json"
    final.write_text("old")
    with pytest.raises(ValueError), whole_files.written_whole(final) as partial:
        partial.write_text("half")
        raise ValueError("not a weights file")
    assert final.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["progress.json"]
