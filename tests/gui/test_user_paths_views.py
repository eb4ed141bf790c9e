"""A learner's paths through the views that must never be stale: the gradient check, the loss
panel's hover readout, the titles of exported figures, the loss curve of a reopened model, and the
decision surface of three classes. Each drives the real window as a person does (``user``)."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtGui

from nnviz.core.csv_data import load_csv
from nnviz.gui.panels.loss import READOUT_HINT


def _parameters(window) -> int:
    return sum(int(p.size) for p in window.latest.params.values())


def _open_tab(user, name: str) -> None:
    """Click the dock's tab: it comes to the front of its tab group."""
    dock = user.window.docks[name]
    dock.show()
    dock.raise_()


@pytest.fixture
def csv_import(monkeypatch, user):
    """``csv_import(path)``: File › Import CSV data… with the importer's guess accepted as it is."""
    monkeypatch.setattr("nnviz.gui.main_window.import_csv", lambda parent, path: load_csv(path))

    def import_(path):
        user.window.import_csv_path(path)
        user.settle()

    return import_


def _three_classes_csv(path, rows_per_class: int = 40):
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    lines = ["a,b,label"]
    for label, centre in enumerate(centres):
        for x in centre + rng.normal(scale=0.7, size=(rows_per_class, 2)):
            lines.append(f"{float(x[0])!r},{float(x[1])!r},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_gradient_check_tab_checks_the_net_it_shows(user):
    """Open the Gradient check tab on the default net: it counts the net's 25 parameters (not "no
    parameters"); add a layer: it counts the new net's."""
    window = user.window
    assert _parameters(window) == 25
    _open_tab(user, "gradcheck")
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == 25)
    assert "25 entries" in window.gradcheck.note_text()
    assert "no parameters" not in window.gradcheck.summary.text()
    assert window.gradcheck.summary_state() in ("ok", "warn")  # a verdict, not "nothing to check"

    user.click("+ Add layer")
    user.qtbot.waitUntil(lambda: _parameters(window) != 25)
    grown = _parameters(window)
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == grown)
    assert f"{grown} entries" in window.gradcheck.note_text()


def test_gradient_check_in_view_says_when_it_is_of_an_earlier_step(user):
    """Training on with the tab in view, the check is marked as of its step, with Run; Run checks
    the model as it is now."""
    window = user.window
    _open_tab(user, "gradcheck")
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == 25)
    user.trigger("Step")
    assert "Checked at step 0" in window.gradcheck.note_text()
    assert window.gradcheck.run_button.isVisible()

    user.click("Run")
    assert window.gradcheck.is_current() and not window.gradcheck.run_button.isVisible()
    assert "Checked at step" not in window.gradcheck.note_text()


def test_loss_readout_clears_when_the_data_change(user):
    """Hover the loss plot, then choose another data set: the readout of the old run is gone."""
    window = user.window
    user.train(40)
    loss = window.loss
    loss.show_readout_at(20)  # what hovering at step 20 shows
    assert "step 20" in loss.readout_text()
    assert all(line.isVisible() for line in loss.crosshairs[:1])

    user.choose("Data set", "spiral")
    assert loss.readout_text() == READOUT_HINT
    assert not any(line.isVisible() for line in loss.crosshairs)


def test_exported_figure_after_a_csv_import_names_the_csv(user, csv_import, tmp_path):
    """Import a CSV, train, export a figure (File › Export figure…) and the report: they name the
    data ("three"), not the default model's old name "Circle"."""
    window = user.window
    csv_import(_three_classes_csv(tmp_path / "three.csv"))
    user.train(20)

    dialog = window.exports.export_dialog("Output")
    try:
        assert dialog.title_text().startswith("three — ")
        out = dialog.export_to(tmp_path / "output.svg")
    finally:
        dialog.close()
    texts = " ".join("".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "three" in texts and "Circle" not in texts
    assert window.exports.title(window.loss).startswith("three — Loss · step ")
    report = window.exports.write_report(tmp_path / "run.html").read_text()
    assert "<h1>three</h1>" in report and "Circle" not in report


def test_saved_model_reopens_with_its_loss_curve_and_trains_on(user, tmp_path):
    """Train, save, start a new model, reopen the file (File › Open): the loss curve is there, point
    for point; train on: the curve continues it."""
    window = user.window
    user.train(60)
    before = {k: np.array(v) for k, v in window.latest.history.items()}
    path = tmp_path / "model.json"
    with user.qtbot.waitSignal(window.session.saved):
        window.save_to(path)

    user.trigger("New")
    assert window.latest.history["step"].size == 0

    assert window.open_path(path)
    user.settle()
    after = window.latest.history
    for key, values in before.items():
        np.testing.assert_array_equal(after[key], values, err_msg=key)
    x, y = window.loss.batch_curve.getData()
    np.testing.assert_array_equal(x, before["step"])
    assert window.latest.step == before["step"][-1]

    user.train(30)
    steps = window.latest.history["step"]
    np.testing.assert_array_equal(steps[: before["step"].size], before["step"])
    assert steps.size > before["step"].size and steps[-1] > before["step"][-1]
    assert np.all(np.diff(steps) > 0)


def test_three_classes_on_two_inputs_show_three_regions(user, csv_import, tmp_path):
    """A CSV of three classes on two inputs, trained with cross-entropy: the output shows the plane
    in three class colours with a legend of three classes counted from 1, not a confusion matrix."""
    from nnviz.gui.panels.output import CLASS_COLORS

    window = user.window
    csv_import(_three_classes_csv(tmp_path / "three.csv"))
    if user.text("Loss") != "cross_entropy":
        user.choose("Loss", "cross_entropy")
    user.train(300)

    output = window.output
    assert output.mode == "regions"
    assert [label.text for _, label in output.legend.items] == [
        "class 1 (target 0)", "class 2 (target 1)", "class 3 (target 2)"]
    snap = window.latest
    assert set(np.unique(snap.surface_classes)) == {0, 1, 2}
    image = output.surface_item.image
    for c in range(3):  # the surest point of each class's region wears that class's colour
        where = np.unravel_index(np.argmax(np.where(snap.surface_classes == c, snap.surface_confidence, -1)),
                                 image.shape[:2])
        hue = QtGui.QColor(*image[where].astype(int).tolist()).hue()
        assert abs(hue - QtGui.QColor(CLASS_COLORS[c]).hue()) <= 12, c
