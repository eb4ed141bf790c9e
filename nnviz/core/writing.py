"""Writing model documents (a network as a plain dict, as JSON or TOML text), and writing files
atomically: the one writer every file nnviz saves goes through (models, runs, traces, figures,
reports, animations).

Nothing here imports the network's class: a network is read through its public attributes, so the
network itself can offer :meth:`~nnviz.core.network.Network.to_dict` without an import cycle.

A file is written to a temporary file in its target's folder, synced to the disk, then renamed over
the target, and the folder synced: a crash, a kill or a full disk leaves the old file or the new
one, never half of one. :func:`atomic_write_files` does the same for several files at once (all or
none); SIGINT and SIGTERM remove the temporary files, and wait while the renames are under way.
Only SIGKILL, which no program can catch, landing in the few system calls that name and rename
the files (tens of microseconds) can leave a temporary name or some of a group renamed.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from nnviz.core.errors import ModelError

FORMAT = "nnviz.model/1"


def network_to_dict(net, state: bool = True) -> dict:
    """The document for the :class:`~nnviz.core.network.Network` ``net``: a fresh dict of plain
    Python values (no NumPy), with the optimizer state and progress when ``state`` is true."""
    doc: dict = {"format": FORMAT}
    meta = copy.deepcopy(net.meta)
    for key in ("name", "description", "translations"):
        if key in meta:
            doc[key] = meta[key]
    doc["inputs"] = net.inputs
    layers = []
    for layer in net.layers:
        entry = layer.to_spec()
        for name, array in list(layer.parameters().items()) + list(layer.buffers().items()):
            entry[name] = array.tolist()
        layers.append(entry)
    doc["layers"] = layers
    doc["loss"] = net.loss.to_spec()
    doc["regularization"] = dict(net.regularization)
    doc["optimizer"] = net.optimizer.to_spec()
    doc["schedule"] = net.schedule.to_spec()
    doc["clip_grad_norm"] = net.clip_grad_norm
    doc["seed"] = net.seed
    doc["dtype"] = net.dtype_name
    if "data" in meta:
        doc["data"] = meta["data"]
    for key in ("lesson", "exercise"):  # teaching sections (nnviz.core.lessons), as they were given
        if key in meta:
            doc[key] = meta[key]
    if state and (net.optimizer.t or net.samples_seen):
        doc["state"] = {
            "step": net.optimizer.t, "samples_seen": net.samples_seen,
            "optimizer": {term: {name: flat[piece].reshape(net.get(name).shape).tolist()
                                 for name, piece in net.param_slices.items()}
                          for term, flat in net.optimizer.state.items()}}
    return doc


def _nested(value) -> bool:
    return isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)


def dumps(doc, indent: int = 2) -> str:
    """JSON with objects one key per line and arrays of numbers kept on one line per row.
    Raises ValueError for NaN or infinity."""
    def fmt(value, level):
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        if isinstance(value, dict) and value:
            items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {fmt(v, level + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if _nested(value):
            return "[\n" + ",\n".join(inner + fmt(v, level + 1) for v in value) + "\n" + pad + "]"
        return json.dumps(value, allow_nan=False, ensure_ascii=False)  # a lesson's Chinese stays readable

    return fmt(doc, 0) + "\n"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def dumps_toml(doc: dict) -> str:
    """The same document as TOML: objects become tables, lists of objects arrays of tables, and
    members that are None are left out (TOML has no null). Raises ValueError for NaN or infinity."""
    def key(k):
        return k if _BARE_KEY.match(k) else string(k)

    def string(s):
        return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")

    def value(v, level=0):
        if isinstance(v, str):
            return string(v)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items() if x is not None) + "}"
        if _nested(v):
            inner = "  " * (level + 1)
            return "[\n" + "".join(f"{inner}{value(x, level + 1)},\n" for x in v) + "  " * level + "]"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, allow_nan=False)  # true, false, ints and floats are written alike

    def is_tables(v):
        return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)

    lines: list[str] = []

    def table(d: dict, prefix: str) -> None:
        for k, v in d.items():
            if v is not None and not isinstance(v, dict) and not is_tables(v):
                lines.append(f"{key(k)} = {value(v)}")
        for k, v in d.items():
            path = f"{prefix}.{key(k)}" if prefix else key(k)
            if isinstance(v, dict):
                lines.extend(["", f"[{path}]"])
                table(v, path)
            elif is_tables(v):
                for item in v:
                    lines.extend(["", f"[[{path}]]"])
                    table(item, path)

    table(doc, "")
    return "\n".join(lines) + "\n"


# -- saving files: every writer of nnviz goes through here ------------------------------------------
class WriteError(ModelError):
    """A file cannot be written (a missing or read-only folder, a full disk); the one-line message
    names the path. A :class:`ModelError`, so callers of :func:`save_model` catch it as before."""


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))
_TAG = ".nnviz-"  # temporary names are ".{name}.nnviz-{random}{suffix}": hidden, and plainly ours
_PROC_FD = "/proc/self/fd"  # how an anonymous file gets a name (linkat through /proc, see open(2))
#: errors of linking through /proc that say it is not allowed here (not that the folder is full)
_CANNOT_LINK = {errno.EPERM, errno.EACCES, errno.ENOENT, errno.EXDEV, errno.EINVAL, errno.EOPNOTSUPP}
_anonymous = True  # until linking an anonymous file fails (see StagedFile._link)
_lock = threading.Lock()
_named: set[Path] = set()  # named temporary files that exist now (see remove_temporary_files)
_records: list[list[Path]] = []  # open recording_commits() lists


def _mode_of(path: Path) -> int | None:
    """The permission bits of the file at ``path``, or None if there is none."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


class StagedFile:
    """A file on its way to ``path``: a temporary file in the same folder, which :func:`commit`
    moves into place.

    Where the system allows (Linux's ``O_TMPFILE``) the file is anonymous: it has no name until
    the commit, so nothing is left behind even if the process is killed (SIGKILL) while writing.
    ``named``: a writer that needs a file name (Qt, imageio) gets a hidden ``.{name}.nnviz-*``
    file, ending in ``suffix``, removed on failure and on SIGINT/SIGTERM. A new file's permissions
    follow the umask; a file it replaces keeps its mode.
    """

    def __init__(self, path, named: bool = False, suffix: str = ".tmp"):
        self.path = Path(path)
        self.folder = self.path.parent
        if not self.folder.is_dir():
            what = "is not a folder" if self.folder.exists() else "does not exist"
            raise WriteError(f"{self.path}: cannot write, the folder {str(self.folder)!r} {what}")
        if self.path.is_dir():
            raise WriteError(f"{self.path}: cannot write, it is a folder")
        self.temp: Path | None = None  # the temporary name, once there is one
        self.committed = False
        old = _mode_of(self.path)
        # Created with the old file's mode (owner-writable while written, for a writer reopening
        # it by name), else 0o666: the kernel applies the umask, which no thread needs to change.
        mode = 0o666 if old is None else old | stat.S_IWUSR
        self.fd: int | None = None if named else _open_anonymous(self.folder, mode)
        if self.fd is None:
            self.fd, self.temp = _open_named(self.folder, self.path.name, suffix, mode)
            if named:  # the writer opens it by its name
                os.close(self.fd)
                self.fd = None

    def write(self, data: bytes) -> None:
        """Append ``data`` (a file that is not ``named``)."""
        _write_all(self.fd, data)

    def _finish(self) -> None:
        """Give the file its final mode and put its data on the disk (before any rename)."""
        old = _mode_of(self.path)
        # (Windows syncs only a handle open for writing; POSIX any, even of a file made read-only)
        access = os.O_RDWR | os.O_BINARY if os.name == "nt" else os.O_RDONLY
        opened = self.fd is None  # a named file its writer has closed
        fd = os.open(self.temp, access) if opened else self.fd
        try:
            if old is not None and old != stat.S_IMODE(os.fstat(fd).st_mode):
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, old)
                else:
                    os.chmod(self.temp, old)
            os.fsync(fd)
        finally:
            if opened:
                os.close(fd)

    def _link(self) -> None:
        """Give an anonymous file a name: the target's own when it has none yet, else a temporary one."""
        if self.temp is not None:
            return
        try:
            if not os.path.lexists(self.path) and _name_anonymous(self.fd, self.path):
                self.committed = True
                return
            for _ in range(100):
                temp = _temp_name(self.folder, self.path.name, ".tmp")
                if _name_anonymous(self.fd, temp):
                    _register(temp)
                    self.temp = temp
                    return
            raise FileExistsError(errno.EEXIST, "no free temporary name", str(self.folder))
        except OSError as exc:
            if exc.errno not in _CANNOT_LINK:
                raise
        # The system refuses to link through /proc (a sandbox): the data go to a named file instead,
        # and later files are named from the start.
        global _anonymous
        _anonymous = False
        mode = stat.S_IMODE(os.fstat(self.fd).st_mode)
        fd, temp = _open_named(self.folder, self.path.name, ".tmp", mode)
        try:
            os.fchmod(fd, mode)  # as the anonymous file has it (the umask applies again to a new file)
            offset = 0
            while chunk := os.pread(self.fd, 1 << 20, offset):
                offset += len(chunk)
                _write_all(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.temp = temp

    def _rename(self) -> None:
        if not self.committed:
            os.replace(self.temp, self.path)
            _unregister(self.temp)
            self.temp, self.committed = None, True

    def discard(self) -> None:
        """Remove the temporary file (nothing once committed); a file at ``path`` is left as it was."""
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                os.close(fd)
            except OSError:
                pass
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass
            _unregister(self.temp)
            self.temp = None

    def _unlink_new(self) -> None:
        """Undo a commit that created ``path`` (it did not exist before): a group that failed."""
        try:
            os.unlink(self.path)
        except OSError:
            pass
        self.committed = False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _temp_name(folder: Path, name: str, suffix: str) -> Path:
    return folder / f".{name[:100]}{_TAG}{secrets.token_hex(4)}{suffix}"


def _register(temp: Path) -> None:
    with _lock:
        _named.add(temp)


def _unregister(temp: Path) -> None:
    with _lock:
        _named.discard(temp)


def _open_anonymous(folder: Path, mode: int) -> int | None:
    """A file without a name in ``folder``, or None where the system or the file system has none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not _anonymous or not os.path.isdir(_PROC_FD):
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, mode)  # readable: see StagedFile._link
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):  # not on this file system
            return None
        raise


def _name_anonymous(fd: int, path: Path) -> bool:
    """Link the anonymous file ``fd`` at ``path``; False if the name is taken. linkat(2) of
    /proc/self/fd/N with AT_SYMLINK_FOLLOW (os.link calls plain link(2), which would link the
    /proc entry itself, unless it is given a folder's descriptor)."""
    proc = os.open(_PROC_FD, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(str(fd), path, src_dir_fd=proc, follow_symlinks=True)
    except FileExistsError:
        return False
    finally:
        os.close(proc)
    return True


def _open_named(folder: Path, name: str, suffix: str, mode: int) -> tuple[int, Path]:
    """A new file with a temporary name in ``folder`` (``mkstemp``, but with ``mode`` rather than 0o600)."""
    for _ in range(100):
        temp = _temp_name(folder, name, suffix)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        except FileExistsError:
            continue
        _register(temp)
        return fd, temp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _fsync_folder(folder: Path) -> None:
    """Put a folder's entries (a rename) on the disk, where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _SignalGuard:
    """While files are staged, in the main thread: SIGINT and SIGTERM do what they did before, but
    a default action (which ends the process without unwinding) first removes the temporary files;
    during a commit they wait until every file is in place. The previous handlers come back on exit.

    A Python handler (Ctrl-C's KeyboardInterrupt, the command line's SIGTERM, the app's own) is
    called as it was: the exception it raises unwinds through the writer, which removes its files.
    """

    def __init__(self, staged: list[StagedFile]):
        self.staged = staged
        self.previous: dict[int, object] = {}
        self.deferring = False
        self.pending: list[int] = []

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is not threading.main_thread():
            return self  # only the main thread has handlers; the process's signals go there
        for signum in _SIGNALS:
            previous = signal.getsignal(signum)
            if previous is None:  # set outside Python: cannot be put back, so left alone
                continue
            try:
                signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                continue
            self.previous[signum] = previous
        return self

    def __exit__(self, *exc) -> None:
        previous, self.previous = self.previous, {}
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        pending, self.pending = self.pending, []
        for signum in dict.fromkeys(pending):  # came during a commit: delivered now that it is done
            if previous.get(signum) is not signal.SIG_IGN:
                signal.raise_signal(signum)

    @contextlib.contextmanager
    def deferred(self):
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False

    def _on_signal(self, signum, frame) -> None:
        if self.deferring:
            self.pending.append(signum)
            return
        previous = self.previous.get(signum, signal.SIG_DFL)
        if previous is signal.SIG_IGN:
            return
        if callable(previous):
            previous(signum, frame)
            return
        for staged in self.staged:
            staged.discard()
        remove_temporary_files()  # a recording's too: the process ends now
        self.__exit__()
        signal.raise_signal(signum)


def commit(*staged: StagedFile) -> list[Path]:
    """Move staged files into place, all or none: each file's data and mode are put on the disk
    first, every one gets a name next to its target, then every rename follows, SIGINT and SIGTERM
    held back until the last is done, and each folder is synced. Returns the paths; the temporary
    files are gone. Raises :class:`WriteError`, every target left as it was."""
    with _SignalGuard(list(staged)) as guard:
        return _commit(list(staged), guard)


def _commit(staged: list[StagedFile], guard: _SignalGuard) -> list[Path]:
    current = staged[0].path if staged else None
    try:
        for item in staged:
            current = item.path
            if item.path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder", str(item.path))
            item._finish()
        # From the first name to the last rename, a SIGKILL (which nothing can hold back) would leave
        # a temporary name or half the files renamed: those few system calls follow one another
        # with nothing slow in between.
        held = _hold(item.path for item in staged)
        with guard.deferred():
            try:
                try:
                    for item in staged:
                        current = item.path
                        item._link()
                except BaseException:
                    for item in staged:
                        if item.committed:
                            item._unlink_new()
                    raise
                for item in staged:  # renames within a folder: these do not fail once the names exist
                    current = item.path
                    item._rename()
            finally:
                for fd in held:
                    os.close(fd)
            for folder in dict.fromkeys(item.folder for item in staged):
                _fsync_folder(folder)
            paths = [item.path for item in staged]
            with _lock:
                for record in _records:
                    record.extend(paths)
    except OSError as exc:
        raise WriteError(f"{current}: cannot write ({exc.strerror or exc})") from None
    finally:
        for item in staged:
            item.discard()
    return paths


def _hold(paths) -> list[int]:
    """Descriptors keeping the files about to be replaced until after the renames, so that freeing
    a replaced file (a millisecond for a few MB) happens when they are closed, not within a rename.
    Linux only (``O_PATH``: no permission needed); elsewhere none."""
    flag = getattr(os, "O_PATH", None)
    held = []
    for path in paths if flag is not None else ():
        try:
            held.append(os.open(path, flag))
        except OSError:  # no file there yet
            pass
    return held


def atomic_write_files(files: Mapping[str | os.PathLike, str | bytes]) -> list[Path]:
    """Write every file in ``files`` (path -> text, as UTF-8, or bytes) or none: each to a staged
    file (see :class:`StagedFile`), then all committed together (see :func:`commit`). On a failure,
    SIGINT or SIGTERM, every file already there is left as it was and no temporary file remains.
    Raises :class:`WriteError` naming the path; returns the paths written."""
    staged: list[StagedFile] = []
    with _SignalGuard(staged) as guard:
        current = None
        try:
            for path, content in files.items():
                current = path
                data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
                staged.append(StagedFile(path))
                staged[-1].write(data)
            return _commit(staged, guard)
        except OSError as exc:
            raise WriteError(f"{current}: cannot write ({exc.strerror or exc})") from None
        finally:
            for item in staged:
                item.discard()


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` so that a crash, a kill or a full disk
    never leaves a half-written file: see :func:`atomic_write_files`."""
    return atomic_write_files({path: text})[0]


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: see :func:`atomic_write_files`."""
    return atomic_write_files({path: data})[0]


def atomic_write(path, write: Callable[[Path], None], suffix: str = ".tmp") -> Path:
    """Call ``write(temp)`` to write a file by name (a hidden temporary file in ``path``'s folder,
    ending in ``suffix``), then commit it to ``path`` (see :func:`commit`). If ``write`` raises,
    the temporary file is removed, a file already at ``path`` is left untouched and the exception
    goes on (an ``OSError`` as a :class:`WriteError`). Returns ``path``."""
    path = Path(path)
    staged: list[StagedFile] = []
    with _SignalGuard(staged) as guard:
        try:
            staged.append(StagedFile(path, named=True, suffix=suffix))
            write(staged[0].temp)
            _commit(staged, guard)
        except OSError as exc:
            raise WriteError(f"{path}: cannot write ({exc.strerror or exc})") from None
        finally:
            for item in staged:
                item.discard()
    return path


def check_writable(folder) -> None:
    """Raise ``OSError`` unless a file can be created in ``folder`` (tried, and nothing left)."""
    folder = Path(folder)
    fd = _open_anonymous(folder, 0o600)
    if fd is not None:
        os.close(fd)
        return
    fd, temp = _open_named(folder, "probe", ".tmp", 0o600)
    os.close(fd)
    os.unlink(temp)
    _unregister(temp)


@contextlib.contextmanager
def recording_commits(record: list[Path] | None = None):
    """A list (``record``, else a new one) that collects the path of every file this process
    commits while the block runs: what a command interrupted by Ctrl-C has really written."""
    record = [] if record is None else record
    with _lock:
        _records.append(record)
    try:
        yield record
    finally:
        with _lock:
            _records.remove(record)


def remove_temporary_files() -> None:
    """Remove every named temporary file this process has now (a recording under way, a figure
    being written): for a handler of a signal that is about to end the process."""
    with _lock:
        temps = list(_named)
        _named.clear()
    for temp in temps:
        try:
            os.unlink(temp)
        except OSError:
            pass


def save_model(net, path, state: bool = True) -> None:
    """Save ``net`` as a ``nnviz.model/1`` document (TOML when the name ends in ``.toml``, else
    JSON), atomically: on any error the file already at ``path`` is left as it was."""
    doc = network_to_dict(net, state=state)
    try:
        text = dumps_toml(doc) if Path(path).suffix.lower() == ".toml" else dumps(doc)
    except ValueError:
        bad = [name for name, array in net.named_parameters() + net.named_buffers()
               if not np.all(np.isfinite(array))]
        holder = f"{bad[0]} holds" if bad else "the model holds"
        raise ModelError(f"{path}: {holder} NaN or infinite numbers (a diverged run?) and cannot be saved; "
                         f"reset it or load an earlier save") from None
    atomic_write_text(path, text)
