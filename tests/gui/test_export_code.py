"""File › Export as PyTorch script…: the window writes a script that goes on from where its run stands."""

import csv
import importlib.util
import re
import subprocess
import sys

import numpy as np
from PySide6 import QtWidgets

from nnviz.gui.accessibility import visible_text

LABEL = "Export as PyTorch script…"


def _save_as(monkeypatch, path, chosen="Python script (*.py)"):
    """The save dialog answers ``path`` (as a person typing it and pressing Save would)."""
    asked = []

    def dialog(parent, caption, start, filters):
        asked.append((caption, start, filters))
        return str(path), chosen

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", dialog)
    return asked


def test_the_file_menu_offers_it_under_its_label(main_window):
    file_action = main_window.menuBar().actions()[0]  # held: see test_export_actions
    labels = [visible_text(a.text()) for a in file_action.menu().actions()]
    assert LABEL in labels
    action = main_window.exports.act_code
    assert visible_text(action.text()) == LABEL and "PyTorch" in action.toolTip()


def test_export_writes_the_run_as_it_stands_and_the_script_goes_on_as_the_app_does(user, qtbot, tmp_path, monkeypatch):
    window = user.window
    window.session.step(7)
    user.settle()
    assert user.step() == 7
    asked = _save_as(monkeypatch, tmp_path / "circle-train")  # no suffix typed: the filter's is added
    with qtbot.waitSignal(window.session.exported, timeout=10000) as written:
        user.trigger(LABEL)
    assert asked and asked[0][0] == "Export as PyTorch script" and "*.ipynb" in asked[0][2]
    script = tmp_path / "circle-train.py"
    assert written.args[0] == (str(script),)
    user.settle()
    assert "circle-train.py" in user.status()
    text = script.read_text(encoding="utf-8")
    compile(text, str(script), "exec")
    assert "STEP = 7" in text and "SAMPLES_SEEN = 70" in text and "File › Export as PyTorch script" in text
    assert not re.search(r"^\s*(import|from)\s+nnviz\b", text, re.MULTILINE), "it needs nothing of nnviz"
    if importlib.util.find_spec("torch") is None:
        return
    # the app takes 12 more steps; the script, run from the same state, takes the same 12
    window.session.step(12)
    user.settle()
    history = window.latest.history
    losses = np.asarray(history["loss"])[np.asarray(history["step"]) > 7]
    metrics = tmp_path / "metrics.csv"
    done = subprocess.run([sys.executable, str(script), "--steps", "12", "--metrics", str(metrics)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open(metrics, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == list(range(8, 20))
    np.testing.assert_allclose([float(r["loss"]) for r in rows], losses, rtol=1e-9)


def test_a_notebook_when_the_notebook_filter_is_chosen(user, qtbot, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "lesson", chosen="Jupyter notebook (*.ipynb)")
    with qtbot.waitSignal(user.window.session.exported, timeout=10000):
        user.trigger(LABEL)
    import json

    notebook = json.loads((tmp_path / "lesson.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert any(cell["cell_type"] == "code" and "def train_step" in "".join(cell["source"])
               for cell in notebook["cells"])


def test_a_folder_that_is_not_there_is_one_message_and_nothing_is_left(user, qtbot, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "missing" / "train.py")
    with qtbot.waitSignal(user.window.session.failed, timeout=10000) as failed:
        user.trigger(LABEL)
    message = failed.args[0]
    assert "\n" not in message and "train.py" in message and "cannot write" in message, message
    assert list(tmp_path.rglob("*")) == [], "nothing written"
    user.dismiss_message()


def test_a_name_with_another_suffix_gets_the_filters_and_a_wrong_one_is_refused(user, qtbot, tmp_path, monkeypatch):
    _save_as(monkeypatch, tmp_path / "train.txt")
    with qtbot.waitSignal(user.window.session.exported, timeout=10000):
        user.trigger(LABEL)
    assert [p.name for p in tmp_path.iterdir()] == ["train.txt.py"]
    with qtbot.waitSignal(user.window.session.failed, timeout=10000) as failed:
        user.window.exports.write_code(tmp_path / "other.txt")  # a command from elsewhere: the core refuses it
    assert "expected a .py script or an .ipynb notebook" in failed.args[0]
    assert not (tmp_path / "other.txt").exists()
    user.dismiss_message()
