"""read_input: the size limit holds whatever the file says of its size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schemaverify.errors import SpecError
from schemaverify.textfile import read_input


@pytest.mark.parametrize("size", [0, 1, 9, 10])
def test_a_file_up_to_the_limit_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * size)
    assert read_input(path, "f.yaml", max_bytes=10) == "x" * size


@pytest.mark.parametrize("size", [11, 4096])
def test_a_file_over_the_limit_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * size)
    with pytest.raises(SpecError, match="larger than 10 bytes"):
        read_input(path, "f.yaml", max_bytes=10)


def test_a_pipe_without_a_size_is_read_to_the_limit(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.write(write, b"y" * 12)
    os.close(write)
    try:
        with pytest.raises(SpecError, match="larger than 10 bytes"):
            read_input(Path(f"/dev/fd/{read}"), "pipe", max_bytes=10)
    finally:
        os.close(read)


def test_a_file_that_grew_after_its_size_was_read_is_still_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"z" * 30)
    real = os.fstat

    class Small:
        st_size = 3  # what the file said before it grew

    monkeypatch.setattr(os, "fstat", lambda fd: Small() if fd > 2 else real(fd))
    with pytest.raises(SpecError, match="larger than 10 bytes"):
        read_input(path, "f.yaml", max_bytes=10)
    path.write_bytes(b"z" * 8)
    assert read_input(path, "f.yaml", max_bytes=10) == "z" * 8
