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
    """A display number with no X server behind it (neither socket answers), far from the numbers
    `xvfb-run -a` hands out from 99 on (one starting on the machine meanwhile would answer there)."""
    for n in range(611, 900):
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


# -- the desktop launcher, its MIME type and installer ---------------------------------------------
PACKAGING = REPO / "packaging"
MIME_TYPE = "application/x-nnviz-model"


def desktop_entry() -> dict:
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "nnviz.desktop", encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_desktop_entry_opens_nnviz_models_only():
    entry = desktop_entry()
    assert entry["Exec"] == "nnviz %f" and entry["Icon"] == "nnviz" and entry["Type"] == "Application"
    assert [t for t in entry["MimeType"].split(";") if t] == [MIME_TYPE]  # not all of application/json


def test_desktop_entry_validates():
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    done = subprocess.run([validate, str(PACKAGING / "nnviz.desktop")], capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout


def test_the_launchers_command_line_reaches_the_app(tmp_path):
    """What a file manager runs for a double-clicked file: the Exec line with %f replaced. A broken
    model reaches the app, which names it (not "invalid choice" from the argument parser)."""
    bad = bad_model(tmp_path)
    argv = [str(bad) if word == "%f" else word for word in desktop_entry()["Exec"].split()]
    assert argv[0] == "nnviz"
    done = nnviz(tmp_path, *argv[1:], QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(f"nnviz: error: {bad.name}: "), done.stderr


def test_mime_type_matches_every_shipped_model_by_glob_or_magic():
    import xml.etree.ElementTree as ET

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(PACKAGING / "nnviz-model.xml").getroot().find("m:mime-type", ns)
    assert mime.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime.findall("m:glob", ns)] == ["*.nnviz.json"]
    match = mime.find("m:magic/m:match", ns)
    start, end = (int(x) for x in match.get("offset").split(":"))
    needle = match.get("value").encode()
    examples = sorted((REPO / "resources" / "examples").glob("*.json"))
    assert examples
    for path in examples:
        head = path.read_bytes()[start:end + len(needle)]
        assert needle in head, f"{path.name}: its format is not within the first {end} bytes"
    assert needle not in b'{"name": "a package.json", "format": "something else"}'


def installer_tree(tmp_path: Path, icons: bool) -> Path:
    """A copy of the source tree's packaging/ (and, with ``icons``, two icon files)."""
    source = tmp_path / "src"
    shutil.copytree(PACKAGING, source / "packaging")
    if icons:
        (source / "resources" / "icons").mkdir(parents=True)
        (source / "resources" / "icons" / "nnviz-48.png").write_bytes(PNG_SIGNATURE + b"48")
        (source / "resources" / "icons" / "nnviz.svg").write_text("<svg/>", encoding="utf-8")
    return source / "packaging" / "install-desktop"


def run_installer(installer: Path, home: Path, *argv) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    return subprocess.run(["sh", str(installer), *argv], env=env, capture_output=True, text=True, timeout=TIMEOUT)


def test_install_desktop_is_executable_posix_sh():
    installer = PACKAGING / "install-desktop"
    assert os.access(installer, os.X_OK)
    assert installer.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    if shutil.which("dash"):  # Debian's /bin/sh: no bashisms
        assert subprocess.run(["dash", "-n", str(installer)], timeout=TIMEOUT).returncode == 0


def test_install_desktop_puts_each_file_where_the_desktop_looks_and_uninstall_removes_them(tmp_path):
    installer = installer_tree(tmp_path, icons=True)
    home = tmp_path / "home"
    done = run_installer(installer, home)
    assert done.returncode == 0, done.stderr
    share, icons = home / ".local" / "share", installer.parents[1] / "resources" / "icons"
    installed = {
        share / "applications" / "nnviz.desktop": PACKAGING / "nnviz.desktop",
        share / "mime" / "packages" / "nnviz-model.xml": PACKAGING / "nnviz-model.xml",
        share / "icons" / "hicolor" / "48x48" / "apps" / "nnviz.png": icons / "nnviz-48.png",
        share / "icons" / "hicolor" / "scalable" / "apps" / "nnviz.svg": icons / "nnviz.svg",
    }
    for target, source in installed.items():
        assert target.read_bytes() == source.read_bytes(), target
    assert not (share / "icons" / "hicolor" / "16x16").exists()  # only the icons that exist
    if shutil.which("update-mime-database"):  # the MIME database knows the type by its glob now
        assert f"{MIME_TYPE}:*.nnviz.json" in (share / "mime" / "globs2").read_text(encoding="utf-8")

    done = run_installer(installer, home, "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not [target for target in installed if target.exists()]
    if shutil.which("update-mime-database"):
        assert MIME_TYPE not in (share / "mime" / "globs2").read_text(encoding="utf-8")


def test_install_desktop_without_icons_notes_it_and_installs_the_rest(tmp_path):
    installer = installer_tree(tmp_path, icons=False)
    done = run_installer(installer, tmp_path / "home")
    assert done.returncode == 0
    assert "no icon found" in done.stderr
    assert (tmp_path / "home" / ".local" / "share" / "applications" / "nnviz.desktop").is_file()


def test_install_desktop_refuses_an_unknown_option(tmp_path):
    done = run_installer(installer_tree(tmp_path, icons=False), tmp_path / "home", "--frobnicate")
    assert done.returncode == 2 and done.stderr.startswith("usage:")
    assert not (tmp_path / "home").exists()


def test_installed_mime_type_is_what_gio_reports_for_a_model(tmp_path):
    """The shared MIME database, as GNOME's file managers read it: a ``*.nnviz.json`` file by its name,
    a model without a suffix by its content (a ``*.json`` file stays application/json: GLib trusts
    that glob and does not sniff)."""
    gio = shutil.which("gio")
    if gio is None or shutil.which("update-mime-database") is None:
        pytest.skip("gio or update-mime-database is not installed")
    home = tmp_path / "home"
    assert run_installer(installer_tree(tmp_path, icons=False), home).returncode == 0
    shipped = (REPO / "resources" / "examples" / "circle.json").read_bytes()
    (tmp_path / "circle.nnviz.json").write_bytes(shipped)
    (tmp_path / "circle-model").write_bytes(shipped)
    (tmp_path / "other").write_bytes(b'{"format": "something else"}\n')
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}

    def content_type(name: str) -> str:
        done = subprocess.run([gio, "info", "-a", "standard::content-type", str(tmp_path / name)], env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
        return done.stdout.rsplit(":", 1)[-1].strip()

    assert content_type("circle.nnviz.json") == MIME_TYPE
    assert content_type("circle-model") == MIME_TYPE
    assert content_type("other") != MIME_TYPE
