"""The one atomic writer (nnviz.core.writing): all or none, synced, modes kept, nothing left behind
on a failure or a signal, and a signal during the renames held back until they are done."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from nnviz.core import writing
from nnviz.core.writing import (
    StagedFile,
    WriteError,
    atomic_write,
    atomic_write_bytes,
    atomic_write_files,
    atomic_write_text,
    check_writable,
    commit,
    recording_commits,
    remove_temporary_files,
)

REPO = Path(__file__).resolve().parents[2]


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def old_pair(tmp_path) -> tuple[Path, Path]:
    a, b = tmp_path / "metrics.csv", tmp_path / "model.json"
    a.write_text("old metrics")
    b.write_text("old model")
    return a, b


@pytest.fixture
def umask():
    """Set the process's umask for one test, and put it back."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield os.umask
    os.umask(saved)


def anonymous_files_here(folder: Path) -> bool:
    fd = writing._open_anonymous(folder, 0o600)
    if fd is None:
        return False
    os.close(fd)
    return True


class Stop(BaseException):
    """What a test's own SIGTERM handler raises."""


def stop(signum, frame):
    raise Stop


def fails_with(exc):
    """A writer that raises ``exc``."""
    def write(temp):
        raise exc
    return write


# -- writing and modes ------------------------------------------------------------------------------
def test_text_and_bytes_are_written_exactly(tmp_path):
    text = "a,b\n1,2\r\nünïcode ✓\n"
    assert atomic_write_text(tmp_path / "t.csv", text) == tmp_path / "t.csv"
    assert (tmp_path / "t.csv").read_bytes() == text.encode("utf-8")  # no newline translation
    data = bytes(range(256)) * 1000
    atomic_write_bytes(tmp_path / "b.bin", data)
    assert (tmp_path / "b.bin").read_bytes() == data
    assert names(tmp_path) == ["b.bin", "t.csv"]


def test_the_document_module_still_offers_the_writer_the_engine_calls(tmp_path):
    from nnviz.core.document import atomic_write_text as from_document

    from_document(str(tmp_path / "m.json"), "{}\n")  # a str path, as the engine passes it
    assert (tmp_path / "m.json").read_text() == "{}\n"


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
@pytest.mark.parametrize("how", ["text", "named"])
def test_a_new_file_follows_the_umask(tmp_path, umask, mask, how):
    umask(mask)
    path = tmp_path / "new.txt"
    if how == "text":
        atomic_write_text(path, "x")
    else:
        atomic_write(path, lambda temp: temp.write_text("x"))
    assert mode(path) == 0o666 & ~mask


@pytest.mark.parametrize("old_mode", [0o644, 0o640, 0o600, 0o444, 0o755])
@pytest.mark.parametrize("how", ["text", "named", "group"])
def test_a_replaced_file_keeps_its_mode(tmp_path, umask, old_mode, how):
    umask(0o077)  # the umask does not narrow a file that already has its mode
    path = tmp_path / "old.txt"
    path.write_text("old")
    path.chmod(old_mode)
    if how == "text":
        atomic_write_text(path, "new")
    elif how == "named":
        atomic_write(path, lambda temp: temp.write_text("new"))
    else:
        atomic_write_files({path: "new", tmp_path / "other.txt": "new"})
    assert path.read_text() == "new"
    assert mode(path) == old_mode


# -- failures ---------------------------------------------------------------------------------------
def test_a_missing_folder_is_named_and_nothing_is_created(tmp_path):
    with pytest.raises(WriteError, match="the folder .*missing.* does not exist"):
        atomic_write_text(tmp_path / "missing" / "m.json", "{}")
    with pytest.raises(WriteError, match="is a folder"):
        atomic_write_text(tmp_path, "{}")
    assert names(tmp_path) == []


@pytest.mark.parametrize("how", ["text", "named"])
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(full_disk_at_fsync, tmp_path, monkeypatch, how):
    path = tmp_path / "m.json"
    path.write_text("old")
    full_disk_at_fsync(1)
    with pytest.raises(WriteError) as info:
        if how == "text":
            atomic_write_text(path, "new" * 1000)
        else:
            atomic_write(path, lambda temp: temp.write_text("new" * 1000))
    assert str(info.value) == f"{path}: cannot write (No space left on device)"
    assert path.read_text() == "old"
    assert names(tmp_path) == ["m.json"]


def test_a_failing_writer_leaves_the_old_file_and_its_exception_goes_on(tmp_path):
    path = tmp_path / "fig.svg"
    path.write_text("old")

    def draw_then_fail(temp):
        temp.write_text("<svg half")
        raise RuntimeError("drawing failed")

    with pytest.raises(RuntimeError, match="drawing failed"):
        atomic_write(path, draw_then_fail)
    with pytest.raises(WriteError, match=r"fig.svg: cannot write \(Disk quota exceeded\)"):
        atomic_write(path, fails_with(OSError(errno.EDQUOT, "Disk quota exceeded")))
    assert path.read_text() == "old"
    assert names(tmp_path) == ["fig.svg"]


@pytest.mark.parametrize("failing_fsync", [1, 2])
def test_a_group_that_fails_on_any_file_leaves_every_old_file(full_disk_at_fsync, old_pair, monkeypatch, failing_fsync):
    a, b = old_pair
    full_disk_at_fsync(failing_fsync)
    with pytest.raises(WriteError, match="No space left on device"):
        atomic_write_files({a: "new metrics", b: "new model"})
    assert (a.read_text(), b.read_text()) == ("old metrics", "old model")
    assert names(a.parent) == ["metrics.csv", "model.json"]


def test_a_group_whose_second_target_is_a_folder_replaces_nothing(old_pair):
    a, b = old_pair
    with pytest.raises(WriteError, match="model.json.*is a folder"):
        b.unlink()
        b.mkdir()
        atomic_write_files({a: "new metrics", b: "new model"})
    assert a.read_text() == "old metrics" and b.is_dir()
    assert names(a.parent) == ["metrics.csv", "model.json"]


@pytest.mark.parametrize("existing", [False, True])
def test_a_group_that_fails_while_naming_its_files_removes_what_it_created(tmp_path, monkeypatch, existing):
    """The second file cannot get its name in the folder (a full folder): a first file created
    where there was none is taken away again; old files stay as they were."""
    a, b = tmp_path / "metrics.csv", tmp_path / "model.json"
    if existing:
        a.write_text("old metrics")
        b.write_text("old model")
    # an anonymous file gets its name from os.link; a named one has it from os.open(O_CREAT)
    anonymous = anonymous_files_here(tmp_path)
    name = "link" if anonymous else "open"
    real, calls = getattr(os, name), []

    def second_fails(*args, **kwargs):
        if anonymous or args[1] & os.O_CREAT:
            calls.append(args)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(writing.os, name, second_fails)
    with pytest.raises(WriteError, match="model.json: cannot write .No space left on device"):
        atomic_write_files({a: "new metrics", b: "new model"})
    assert len(calls) == 2
    assert names(tmp_path) == (["metrics.csv", "model.json"] if existing else [])
    if existing:
        assert (a.read_text(), b.read_text()) == ("old metrics", "old model")


# -- syncing and the temporary files ------------------------------------------------------------------
def test_the_data_is_synced_before_the_rename_and_the_folder_after(old_pair, monkeypatch):
    a, b = old_pair
    events = []
    real_fsync, real_replace, real_link = os.fsync, os.replace, os.link

    def fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else f"file of {os.fstat(fd).st_size} bytes"
        events.append(("fsync", kind))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("rename", Path(dst).name))
        real_replace(src, dst)

    def link(src, dst, **kwargs):
        events.append(("link", Path(dst).name if not Path(dst).name.startswith(".") else "temporary"))
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(writing.os, "fsync", fsync)
    monkeypatch.setattr(writing.os, "replace", replace)
    monkeypatch.setattr(writing.os, "link", link)
    atomic_write_files({a: "x" * 11, b: "y" * 22})
    renames = [e for e in events if e[0] == "rename"]
    assert renames == [("rename", "metrics.csv"), ("rename", "model.json")]
    first_rename = events.index(renames[0])
    synced = [e for e in events[:first_rename] if e[0] == "fsync"]
    assert synced == [("fsync", "file of 11 bytes"), ("fsync", "file of 22 bytes")]
    assert events[-1] == ("fsync", "folder")


def test_no_temporary_file_is_seen_while_the_data_is_written(old_pair, monkeypatch):
    """Where the system has anonymous files (Linux), the folder never shows a temporary file: a
    kill (SIGKILL) at any moment of the writing leaves nothing behind."""
    a, b = old_pair
    if not anonymous_files_here(a.parent):
        pytest.skip("no anonymous files (O_TMPFILE) on this system")
    seen = []
    real_fsync = os.fsync

    def fsync(fd):
        seen.append(names(a.parent))
        real_fsync(fd)

    monkeypatch.setattr(writing.os, "fsync", fsync)
    atomic_write_files({a: "new metrics" * 10_000, b: "new model"})
    assert seen[:2] == [["metrics.csv", "model.json"]] * 2
    assert names(a.parent) == ["metrics.csv", "model.json"]


def test_a_system_that_will_not_link_through_proc_gets_named_files_with_the_same_result(old_pair, monkeypatch):
    a, b = old_pair
    if not anonymous_files_here(a.parent):
        pytest.skip("no anonymous files (O_TMPFILE) on this system")
    a.chmod(0o640)
    monkeypatch.setattr(writing, "_anonymous", True)  # put back after the test

    def refused(fd, path):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(writing, "_name_anonymous", refused)
    atomic_write_files({a: "new metrics" * 100_000, b: "new model"})
    assert (a.read_text(), b.read_text()) == ("new metrics" * 100_000, "new model")
    assert mode(a) == 0o640 and names(a.parent) == ["metrics.csv", "model.json"]
    assert writing._anonymous is False  # later files are named from the start
    atomic_write_text(a, "newer")
    assert a.read_text() == "newer" and names(a.parent) == ["metrics.csv", "model.json"]


def test_check_writable_leaves_nothing(tmp_path):
    check_writable(tmp_path)
    assert names(tmp_path) == []
    with pytest.raises(OSError):
        check_writable(tmp_path / "missing")


def test_a_staged_file_is_discarded_or_committed_and_remove_temporary_files_clears_named_ones(tmp_path):
    path = tmp_path / "run.gif"
    recording = StagedFile(path, named=True, suffix=".gif")
    assert recording.temp.name.startswith(".run.gif.nnviz-") and recording.temp.suffix == ".gif"
    recording.temp.write_bytes(b"GIF89a")
    remove_temporary_files()  # what a handler of a fatal signal calls
    assert names(tmp_path) == []
    recording.discard()  # and then a discard is harmless
    kept = StagedFile(path, named=True, suffix=".gif")
    kept.temp.write_bytes(b"GIF89a")
    assert commit(kept) == [path]
    assert path.read_bytes() == b"GIF89a" and names(tmp_path) == ["run.gif"]


# -- signals ----------------------------------------------------------------------------------------
@pytest.fixture
def handlers():
    """The SIGINT and SIGTERM handlers as they were, put back after the test."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield saved
    for s, h in saved.items():
        signal.signal(s, h)



def test_ctrl_c_while_writing_removes_the_temporary_file_and_keeps_the_old_one(tmp_path, handlers):
    path = tmp_path / "fig.png"
    path.write_bytes(b"old")

    def interrupted(temp):
        temp.write_bytes(b"\x89PNG half")
        signal.raise_signal(signal.SIGINT)
        temp.write_bytes(b"\x89PNG whole")  # never reached

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, interrupted)
    assert path.read_bytes() == b"old"
    assert names(tmp_path) == ["fig.png"]
    assert signal.getsignal(signal.SIGINT) is handlers[signal.SIGINT]


def test_sigterm_calls_the_previous_handler_and_the_writer_cleans_up_as_it_unwinds(old_pair, handlers, monkeypatch):
    a, b = old_pair

    signal.signal(signal.SIGTERM, stop)
    real_fsync = os.fsync

    def fsync(fd):  # the signal comes while the files are being synced: before any rename
        signal.raise_signal(signal.SIGTERM)
        real_fsync(fd)

    monkeypatch.setattr(writing.os, "fsync", fsync)
    with recording_commits() as written, pytest.raises(Stop):
        atomic_write_files({a: "new metrics", b: "new model"})
    assert written == []
    assert (a.read_text(), b.read_text()) == ("old metrics", "old model")
    assert names(a.parent) == ["metrics.csv", "model.json"]
    assert signal.getsignal(signal.SIGTERM) is stop


def test_a_handler_that_returns_is_called_and_the_write_completes(tmp_path, handlers):
    """The app's own Ctrl-C handler (one that asks the window to close, say) is called as before;
    it raises nothing, so the file is written."""
    calls = []
    signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))

    def write(temp):
        temp.write_text("half")
        signal.raise_signal(signal.SIGINT)
        temp.write_text("whole")

    atomic_write(tmp_path / "a.txt", write)
    assert calls == [signal.SIGINT]
    assert (tmp_path / "a.txt").read_text() == "whole" and names(tmp_path) == ["a.txt"]


def test_an_ignored_signal_stays_ignored_and_the_write_completes(tmp_path, handlers):
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def write(temp):
        signal.raise_signal(signal.SIGINT)
        temp.write_text("whole")

    atomic_write(tmp_path / "a.txt", write)
    assert (tmp_path / "a.txt").read_text() == "whole"
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_renames_waits_until_every_file_is_in_place(old_pair, handlers, monkeypatch, signum):
    a, b = old_pair
    signal.signal(signal.SIGTERM, stop)
    real_replace = os.replace
    state = {}

    def replace(src, dst):
        real_replace(src, dst)
        if "first" not in state:
            state["first"] = Path(dst).name
            signal.raise_signal(signum)  # between the two renames
            state["after"] = True  # the handler waited: the writer went on

    monkeypatch.setattr(writing.os, "replace", replace)
    with recording_commits() as written, pytest.raises(KeyboardInterrupt if signum == signal.SIGINT else Stop):
        atomic_write_files({a: "new metrics", b: "new model"})
    assert state == {"first": "metrics.csv", "after": True}
    assert (a.read_text(), b.read_text()) == ("new metrics", "new model")
    assert written == [a, b]
    assert names(a.parent) == ["metrics.csv", "model.json"]


def test_handlers_come_back_after_success_and_failure(tmp_path, handlers):
    before = {s: signal.getsignal(s) for s in handlers}
    atomic_write_text(tmp_path / "a.txt", "x")
    with pytest.raises(WriteError):
        atomic_write_text(tmp_path / "missing" / "a.txt", "x")
    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "b.txt", fails_with(RuntimeError("no")))
    assert {s: signal.getsignal(s) for s in handlers} == before


def test_another_thread_writes_without_touching_the_handlers(tmp_path, handlers):
    errors = []

    def work():
        try:
            atomic_write_files({tmp_path / "a.txt": "a", tmp_path / "b.txt": "b"})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
    assert names(tmp_path) == ["a.txt", "b.txt"]
    assert {s: signal.getsignal(s) for s in handlers} == handlers


def test_the_default_sigterm_removes_the_temporary_file_before_the_process_ends(tmp_path):
    """SIGTERM's default action ends the process without unwinding: the writer removes its
    temporary file first, then lets it end."""
    (tmp_path / "fig.png").write_bytes(b"old")
    script = textwrap.dedent(f"""
        import signal
        from nnviz.core.writing import atomic_write

        def killed(temp):
            temp.write_bytes(b"half")
            signal.raise_signal(signal.SIGTERM)

        atomic_write({str(tmp_path / "fig.png")!r}, killed)
        print("still running")
    """)
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert done.stdout == ""
    assert names(tmp_path) == ["fig.png"]
    assert (tmp_path / "fig.png").read_bytes() == b"old"
