"""The gradient-check view shows the core's numbers: one row per parameter entry, full values in the
tooltips, the worst entry named in the summary, and each relative error on its band's colour."""

import numpy as np
import pytest
from PySide6 import QtCore

from nnviz.core import load_model
from nnviz.core.gradcheck import entry_count, gradient_check, worst
from nnviz.gui.panels import gradcheck as view
from nnviz.gui.panels.gradcheck import ANALYTIC, DIFFERENCE, ERROR, MAX_ROWS, NUMERICAL, PARAMETER, GradientCheckPanel
from nnviz.gui.panels.health import BAD, NA, OK, STATE_COLORS

EPS = 1e-6


def _checks(wrong=False):
    net = load_model({"format": "nnviz.model/1", "inputs": 2, "seed": 0, "loss": "mse",
                      "layers": [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}]})
    if wrong:  # layers[0]'s backward pass reports 1.1 times the true weight gradient
        layer = net.layers[0]
        right = layer._backward

        def scaled(dz, need_dx):
            dx = right(dz, need_dx)
            layer.grad_weight *= 1.1
            return dx

        layer._backward = scaled
    rng = np.random.default_rng(0)
    return gradient_check(net, rng.normal(size=(5, 2)), rng.normal(size=(5, 1)), eps=EPS)


@pytest.fixture(scope="module")
def good():
    return _checks()


@pytest.fixture(scope="module")
def wrong():
    return _checks(wrong=True)


@pytest.fixture
def panel(make_panel):
    return make_panel(GradientCheckPanel, size=(720, 460))


def _rows(panel):
    """{entry label: row} as the table shows it now (it may be sorted)."""
    return {panel.table.item(row, PARAMETER).text(): row for row in range(panel.row_count())}


def test_one_row_per_entry_with_the_core_values_in_the_tooltips(panel, good):
    panel.show_checks(good, EPS)
    assert panel.row_count() == entry_count(good) == 2 * 3 + 3 + 3 * 1 + 1
    rows = _rows(panel)
    for check in good:
        for entry in check.entries():
            row = rows[entry.title]
            assert panel.table.item(row, ANALYTIC).toolTip() == repr(float(check.analytic[entry.index]))
            assert panel.table.item(row, NUMERICAL).toolTip() == repr(float(check.numerical[entry.index]))
            assert panel.table.item(row, ANALYTIC).text() == f"{check.analytic[entry.index]:.6g}"
            assert panel.table.item(row, DIFFERENCE).toolTip() == repr(float(check.abs_diff[entry.index]))
            assert panel.table.item(row, ERROR).toolTip() == repr(float(check.entry_errors[entry.index]))
    assert "W2[1,3]" in rows
    assert "b2[1]" in rows
    assert panel.summary_state() == OK
    assert "agrees with central differences" in panel.summary.text()
    assert f"{entry_count(good)} entries in 4 tensors" in panel.note.text()


def test_the_summary_names_the_worst_parameter_and_bad_rows_are_coloured_differently(panel, wrong):
    panel.show_checks(wrong, EPS)
    entry = worst(wrong)
    assert entry.parameter == "layers[0].weight"
    assert entry.title in panel.summary.text()
    assert "disagree" in panel.summary.text()
    assert panel.summary_state() == BAD
    rows = _rows(panel)
    bad = panel.table.item(rows["W1[2,1]"], ERROR)
    good = panel.table.item(rows["W2[1,2]"], ERROR)
    assert bad.background().color() != good.background().color()
    assert bad.background().color().name() == STATE_COLORS[BAD][1]
    assert good.background().color().name() == STATE_COLORS[OK][1]
    assert float(bad.text()) == pytest.approx(0.1 / 2.1, rel=1e-2)
    panel.grab().save("/tmp/gradcheck.png")


def test_the_table_sorts_by_number_not_by_text(panel, wrong):
    panel.show_checks(wrong, EPS)
    panel.table.sortItems(ERROR, QtCore.Qt.SortOrder.DescendingOrder)
    errors = [float(panel.table.item(row, ERROR).toolTip()) for row in range(panel.row_count())]
    assert errors == sorted(errors, reverse=True)
    assert panel.table.item(0, PARAMETER).text().startswith("W1[")
    panel.table.sortItems(PARAMETER, QtCore.Qt.SortOrder.AscendingOrder)  # back to the network's order
    labels = [panel.table.item(row, PARAMETER).text() for row in range(panel.row_count())]
    assert labels == [e.title for c in wrong for e in c.entries()]


def test_the_table_is_read_only(panel, good):
    panel.show_checks(good, EPS)
    item = panel.table.item(0, ANALYTIC)
    assert not item.flags() & QtCore.Qt.ItemFlag.ItemIsEditable


def test_nothing_to_check(panel, good):
    panel.show_checks(good, EPS)
    panel.show_checks([], EPS)
    assert panel.row_count() == 0
    assert "nothing to check" in panel.summary.text().lower()
    assert panel.summary_state() == NA
    assert not panel.table.isVisible()


def test_a_big_network_shows_the_first_rows_and_the_summary_covers_all(panel, good, monkeypatch):
    monkeypatch.setattr(view, "MAX_ROWS", 5)
    bad = _checks(wrong=True)
    late = [*good[1:], bad[0]]  # the wrong weight gradient comes last, past the cap
    panel.show_checks(late, EPS)
    assert panel.row_count() == 5
    assert f"Showing 5 of {entry_count(late)} entries" in panel.note.text()
    assert worst(late).label.startswith("layers[0].weight")
    assert worst(late).title in panel.summary.text() and panel.summary_state() == BAD
    assert MAX_ROWS == 2000


# -- as a snapshot panel: it checks the model it is shown ----------------------------------------------
def _snapshots(steps=(0, 5)):
    from nnviz.core.experiment import Experiment

    exp = Experiment()
    out = []
    for k in steps:
        exp.run(k)
        out.append(exp.snapshot())
    return exp, out


def test_a_hidden_panel_checks_the_newest_model_when_shown(make_panel):
    panel = make_panel(GradientCheckPanel, show=False)
    _, (first, later) = _snapshots()
    panel.show_snapshot(first)
    panel.show_snapshot(later)
    assert panel.row_count() == 0  # nothing computed behind a tab

    panel.show()
    assert panel.row_count() == 25 and panel.is_current()
    assert "25 entries in 6 tensors, on the first 10 training rows" in panel.note_text()
    assert not panel.run_button.isVisible()


def test_training_on_in_view_marks_the_check_as_of_its_step_and_run_checks_again(make_panel):
    panel = make_panel(GradientCheckPanel)
    exp, (first,) = _snapshots((0,))
    panel.show_snapshot(first)
    checked = panel.table.item(0, ANALYTIC).text()
    exp.run(20)
    later = exp.snapshot()
    panel.show_snapshot(later)
    assert not panel.is_current() and panel.run_button.isVisible()
    assert panel.note_text().startswith("Checked at step 0; the model has changed since (step 20)")
    assert panel.table.item(0, ANALYTIC).text() == checked  # not recomputed on every frame

    panel.run_button.click()
    assert panel.is_current() and not panel.run_button.isVisible()
    job = later.gradient_check
    expected = job.run(later.params)
    assert panel.table.item(0, ANALYTIC).data(view.SORT_ROLE) == float(expected[0].analytic.ravel()[0])


def test_a_new_run_in_view_is_checked_at_once(make_panel):
    from nnviz.core.experiment import Experiment

    panel = make_panel(GradientCheckPanel)
    exp = Experiment()
    panel.show_snapshot(exp.snapshot())
    assert panel.row_count() == 25
    exp.set_layers([{"type": "dense", "units": 4, "activation": "tanh"},
                    {"type": "dense", "units": 3, "activation": "tanh"},
                    {"type": "dense", "units": 2, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "sigmoid"}])
    panel.show_snapshot(exp.snapshot())
    assert panel.row_count() == 12 + 15 + 8 + 3 and panel.is_current()


def test_a_model_that_cannot_be_checked_says_why(make_panel):
    from nnviz.core.experiment import Experiment, default_document

    panel = make_panel(GradientCheckPanel)
    big = {**default_document(), "layers": [{"type": "dense", "units": 3000, "activation": "tanh"},
                                            {"type": "dense", "units": 1, "activation": "sigmoid"}]}
    panel.show_snapshot(Experiment(big).snapshot())
    assert panel.summary.text().startswith("Not checked: 12,001 parameters")
    assert panel.summary_state() == NA and panel.row_count() == 0
