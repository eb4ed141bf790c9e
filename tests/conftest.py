"""Fixtures shared by the whole suite (the GUI's own are in tests/gui/conftest.py)."""

import errno
import os

import pytest
from hypothesis import settings

# Property tests explore afresh on a developer's machine; under CI (the CI variable set) they run the
# same examples every time, so a run that lands does not hang on a new example found that minute.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def full_disk_at_fsync(monkeypatch):
    """``full_disk_at_fsync(n)``: the disk is full when nnviz's writer syncs its ``n``-th file (a full
    disk often shows only then, before any rename)."""
    from nnviz.core import writing

    def arm(call: int) -> None:
        real, calls = os.fsync, []

        def fsync(fd):
            calls.append(fd)
            if len(calls) == call:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real(fd)

        monkeypatch.setattr(writing.os, "fsync", fsync)

    return arm
