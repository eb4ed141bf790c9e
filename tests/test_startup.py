"""Start-up of the desktop app (nnviz.gui.launch, nnviz.__main__) in real subprocesses: an unreachable
display, a bad model file, a window that fails to build, Ctrl+C in the loop and during the imports,
and the headless demo's report of its screenshot. Each asserts the exit status and what stderr says."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nnviz.gui import launch

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display checks are Linux's")


def unused_display() -> str:
    """A display number with no X server behind it (neither socket answers)."""
    for n in range(99, 300):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not launch.x11_reachable(f":{n}"):
            return f":{n}"
    pytest.skip("no free display number")


def environment(tmp_path: Path, **changes) -> dict:
    """The test's environment for a subprocess: the worktree's nnviz, settings in ``tmp_path``, no
    display or platform unless ``changes`` sets them (None removes a variable)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "NNVIZ_DEBUG")}
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               NNVIZ_HEADLESS_SECONDS="1")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def nnviz(tmp_path: Path, *argv, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnviz", *map(str, argv)], cwd=tmp_path,
                          env=environment(tmp_path, **env), capture_output=True, text=True, timeout=TIMEOUT)


def script(tmp_path: Path, body: str) -> Path:
    """A Python file that patches nnviz (``body``) and then runs the ``nnviz`` command. The guard
    matters: the training process (spawned) imports this file again as ``__mp_main__``."""
    path = tmp_path / "run_nnviz.py"
    path.write_text("import sys\nif __name__ == '__main__':\n" + textwrap.indent(textwrap.dedent(body), "    ")
                    + "\n    from nnviz.cli import main\n    sys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    return path


def bad_model(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "nnviz.model/1", "inputs": 2, "layers": "three"}', encoding="utf-8")
    return path


# -- where the display is --------------------------------------------------------------------------
def test_x11_reachable_only_when_its_socket_answers(tmp_path):
    assert not launch.x11_reachable(":5", x11_sockets=str(tmp_path))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "X5"))
        server.listen(1)
        assert launch.x11_reachable(":5", x11_sockets=str(tmp_path))
        assert launch.x11_reachable(":5.0", x11_sockets=str(tmp_path))  # a screen number after the dot
        assert not launch.x11_reachable(":6", x11_sockets=str(tmp_path))


def test_display_problem_names_the_unreachable_display(tmp_path):
    problem = launch.display_problem({"DISPLAY": ":7"}, x11_sockets=str(tmp_path))
    assert problem is not None and ":7" in problem and "cannot reach" in problem
    assert "not set" in launch.display_problem({}, x11_sockets=str(tmp_path))
    # a platform the user chose is theirs: nothing to check
    assert launch.display_problem({"QT_QPA_PLATFORM": "offscreen"}, x11_sockets=str(tmp_path)) is None


def test_a_real_x_server_is_reachable(tmp_path):
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed")
    display = unused_display()
    server = subprocess.Popen([xvfb, display, "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while launch.display_problem({"DISPLAY": display}) is not None:  # until the server is up
            assert server.poll() is None, "Xvfb exited"
            assert time.monotonic() < deadline, "Xvfb did not start in 30 s"
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert launch.display_problem({"DISPLAY": display}) is not None  # and unreachable once it is gone


# -- the headless fallback -------------------------------------------------------------------------
def test_unreachable_display_runs_offscreen_with_a_note(tmp_path):
    display = unused_display()
    done = nnviz(tmp_path, "circle", DISPLAY=display)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"nnviz: cannot reach the display {display} (no X server answers there); running the app offscreen "
        f"for 1 s (set DISPLAY to see the window)"]
    shot = tmp_path / "nnviz-window.png"
    assert f"screenshot saved to {shot}" in done.stdout
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


def test_headless_demo_says_so_when_the_screenshot_cannot_be_saved(tmp_path):
    (tmp_path / "nnviz-window.png").mkdir()  # a folder where the screenshot would go
    done = nnviz(tmp_path, "circle")
    assert done.returncode == 1
    assert "screenshot saved" not in done.stdout
    lines = done.stderr.splitlines()
    assert lines[0].startswith("nnviz: no display found")
    assert lines[1:] == [f"nnviz: error: could not save the screenshot to {tmp_path / 'nnviz-window.png'}"]


# -- a model that does not open --------------------------------------------------------------------
@pytest.mark.parametrize("argv", [("open", "bad.json"), ("bad.json",)])
@pytest.mark.parametrize("platform", ["offscreen", "minimal", None])
def test_bad_model_exits_2_whatever_the_platform(tmp_path, argv, platform):
    bad_model(tmp_path)
    env = {"QT_QPA_PLATFORM": platform} if platform else {"DISPLAY": unused_display()}
    done = nnviz(tmp_path, *argv, **env)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("nnviz: error: bad.json"), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "nnviz-window.png").exists()


# -- a window that cannot be built -----------------------------------------------------------------
@pytest.mark.parametrize("threaded", [False, True], ids=["training-process", "threaded"])
def test_window_that_fails_to_build_is_one_line_and_exit_1(tmp_path, threaded):
    run = script(tmp_path, """
        import nnviz.gui.main_window as main_window
        def explode(self):
            raise RuntimeError("the toolbar exploded")
        main_window.MainWindow._build_toolbar = explode  # late: the training has started by then
    """)
    argv = [sys.executable, str(run), *(["--threaded"] if threaded else []), "circle"]
    done = subprocess.run(argv, cwd=tmp_path, env=environment(tmp_path, QT_QPA_PLATFORM="offscreen"),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "nnviz: error: the window could not be built: RuntimeError: the toolbar exploded (please report this "
        "bug; set NNVIZ_DEBUG=1 for a traceback)"]


# -- Ctrl+C ----------------------------------------------------------------------------------------
def test_ctrl_c_in_the_event_loop_quits_with_130(tmp_path):
    run = script(tmp_path, """
        import nnviz.gui.launch as launch
        shown = launch.MainWindow.show
        def show(self):
            shown(self)
            print("window shown", flush=True)
        launch.MainWindow.show = show
    """)
    process = subprocess.Popen([sys.executable, str(run), "circle"], cwd=tmp_path,
                               env=environment(tmp_path, QT_QPA_PLATFORM="offscreen"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "window shown\n"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert err == "nnviz: interrupted; quitting\n"


def test_ctrl_c_during_the_imports_exits_130_without_a_traceback(tmp_path):
    """The interrupt arrives as NumPy is being imported (deterministically: the import raises it)."""
    code = textwrap.dedent("""
        import builtins, os, runpy, signal, sys
        real_import = builtins.__import__
        def interrupting_import(name, *args, **kwargs):
            if name == "numpy":
                builtins.__import__ = real_import
                os.kill(os.getpid(), signal.SIGINT)
            return real_import(name, *args, **kwargs)
        builtins.__import__ = interrupting_import
        sys.argv = ["nnviz", "--version"]
        runpy.run_module("nnviz", run_name="__main__", alter_sys=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=environment(tmp_path),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert (done.returncode, done.stdout) == (130, "")
    assert done.stderr == "nnviz: interrupted; nothing was written\n"
