"""The CSV import dialog: a preview, a role per column, and the core's messages shown, never raised."""

import numpy as np
import pytest
from PySide6 import QtTest, QtWidgets
from PySide6.QtCore import Qt

from nnviz.gui import csv_dialog
from nnviz.gui.csv_dialog import CsvImportDialog, import_csv, read_preview

GOOD = "a,b,note,c,label\n" + "".join(f"{i},{i * 0.5},row {i},{-i},{i % 2}\n" for i in range(30))


@pytest.fixture
def good_csv(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


def open_dialog(qtbot, path) -> CsvImportDialog:
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    return dialog


def set_role(dialog: CsvImportDialog, column: str, role: str) -> None:
    """Choose a role as a person does: click the column's role cell, pick from its combo."""
    j = dialog.header.index(column)
    dialog.show()
    table = dialog.table
    table.scrollToItem(table.item(0, j))
    cell = table.visualItemRect(table.item(0, j)).center()
    QtTest.QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    combo = table.indexWidget(table.model().index(0, j))
    assert isinstance(combo, QtWidgets.QComboBox), "no role editor opened"
    combo.setCurrentIndex(combo.findData(role))
    combo.activated.emit(combo.currentIndex())


def test_preview_shows_header_first_rows_and_default_roles(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    table = dialog.table
    assert [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())] == \
        ["a", "b", "note", "c", "label"]
    assert table.rowCount() == 1 + 20  # the role row, then the first 20 rows
    assert table.item(1, 2).text() == "row 0" and table.item(20, 0).text() == "19"
    assert {c: dialog.role(c) for c in dialog.header} == \
        {"a": "input", "b": "input", "note": "input", "c": "input", "label": "target"}
    # The default choice includes the text column: the core's message says where, and OK is off.
    assert "not a number" in dialog.error_label.text() and "'note'" in dialog.error_label.text()
    assert dialog.error_label.isVisibleTo(dialog)
    assert not dialog.ok_button.isEnabled()


def test_good_choice_loads_the_chosen_columns(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    set_role(dialog, "note", "ignore")
    set_role(dialog, "c", "ignore")
    assert dialog.ok_button.isEnabled()
    assert not dialog.error_label.isVisibleTo(dialog)
    assert "30 rows" in dialog.summary_label.text() and "classification" in dialog.summary_label.text()
    assert dialog.dataset is None  # nothing is exposed before OK
    dialog.ok_button.click()
    ds = dialog.dataset
    assert dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    assert ds.feature_names == ("a", "b") and ds.target_names == ("label",)
    assert ds.name == "points" and ds.task == "classification"
    np.testing.assert_array_equal(ds.X[:3], [[0, 0], [1, 0.5], [2, 1]])
    np.testing.assert_array_equal(ds.y[:, 0], np.arange(30) % 2)


def test_several_targets_and_a_target_in_the_middle(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    set_role(dialog, "note", "ignore")
    set_role(dialog, "b", "target")
    dialog.ok_button.click()
    assert dialog.dataset.feature_names == ("a", "c")
    assert dialog.dataset.target_names == ("b", "label")


def test_no_target_or_no_input_disables_ok(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    set_role(dialog, "note", "ignore")
    assert dialog.ok_button.isEnabled()
    set_role(dialog, "label", "input")
    assert not dialog.ok_button.isEnabled()
    assert "target" in dialog.error_label.text()
    dialog.accept()  # even forced, nothing is loaded
    assert dialog.dataset is None and dialog.result() != QtWidgets.QDialog.DialogCode.Accepted
    set_role(dialog, "label", "target")
    for column in ("a", "b", "c"):
        set_role(dialog, column, "ignore")
    assert not dialog.ok_button.isEnabled() and "input" in dialog.error_label.text()


def test_non_numeric_cell_in_a_chosen_column_shows_the_core_message(qtbot, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,t\n1,2,0\n3,oops,1\n", encoding="utf-8")
    dialog = open_dialog(qtbot, path)
    message = dialog.error_label.text()
    assert f"{path}, line 3, column 'y': not a number: 'oops'" == message
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.dataset is None
    set_role(dialog, "y", "ignore")  # leave the bad column out: now it loads
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.dataset.feature_names == ("x",)


@pytest.mark.parametrize("content, expected", [
    (None, "no such file"),
    (b"", "file is empty"),
    (b"a,b\n\xff\xfe,1\n", "not UTF-8"),
    (b"a,a\n1,2\n", "duplicate column name"),
    (b"a,b\n", "no data rows"),
    (b'a,b\n"1,2\n', "malformed CSV"),
])
def test_missing_or_malformed_file_shows_the_message(qtbot, tmp_path, content, expected):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_bytes(content)
    dialog = open_dialog(qtbot, path)
    assert expected in dialog.error_label.text()
    assert "\n" not in dialog.error_label.text()
    assert dialog.error_label.isVisibleTo(dialog)
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.dataset is None


def test_preview_follows_load_csv_delimiters(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("p;q\n\n1,5;2\n", encoding="utf-8")
    assert read_preview(path) == (["p", "q"], [["1,5", "2"]])


def test_import_csv_returns_the_dataset_or_none(qtbot, good_csv, monkeypatch):
    def accept_with_roles(self):
        set_role(self, "note", "ignore")
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(CsvImportDialog, "exec", accept_with_roles)
    ds = import_csv(None, good_csv)
    assert ds.feature_names == ("a", "b", "c")
    monkeypatch.setattr(CsvImportDialog, "exec", lambda self: (self.reject(), self.result())[1])
    assert import_csv(None, good_csv) is None


def test_large_files_are_loaded_on_ok(qtbot, good_csv, monkeypatch):
    monkeypatch.setattr(csv_dialog, "LIVE_LIMIT", 10)
    dialog = open_dialog(qtbot, good_csv)
    assert dialog.ok_button.isEnabled()  # not loaded yet, so not yet known to fail
    dialog.ok_button.click()
    assert "not a number" in dialog.error_label.text() and dialog.dataset is None
    set_role(dialog, "note", "ignore")
    dialog.ok_button.click()
    assert dialog.dataset.feature_names == ("a", "b", "c")


def test_every_control_has_a_tooltip(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    dialog.show()
    set_role(dialog, "note", "ignore")  # opens a role editor: a combo
    controls = [w for kind in (QtWidgets.QComboBox, QtWidgets.QAbstractButton)
                for w in dialog.findChildren(kind)]
    assert any(isinstance(w, QtWidgets.QComboBox) for w in controls) and len(controls) >= 3
    assert all(w.toolTip() for w in controls if w.isVisibleTo(dialog))
    assert all(dialog.table.item(0, j).toolTip() for j in range(len(dialog.header)))


def test_the_role_row_takes_only_roles_and_the_preview_is_read_only(qtbot, good_csv):
    dialog = open_dialog(qtbot, good_csv)
    dialog.table.item(0, 0).setText("bogus")  # typed over: back to the role in force
    assert dialog.role("a") == "input" and dialog.table.item(0, 0).text() == "input"
    dialog.set_role("label", "ignore")
    assert dialog.role("label") == "ignore" and "target" in dialog.error_label.text()
    assert not dialog.table.item(1, 0).flags() & Qt.ItemFlag.ItemIsEditable
    with pytest.raises(ValueError):
        dialog.set_role("a", "output")


def test_a_wide_file_opens_in_moments_and_its_summary_stays_short(qtbot, tmp_path):
    """A widget per column took 25 s to open a file of 10,000 columns; items take a fraction."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"p{j}" for j in range(3000)) + "\n" + ",".join(["1"] * 3000) + "\n")
    dialog = open_dialog(qtbot, path)
    assert len(dialog.columns("input")) == 2999 and dialog.ok_button.isEnabled()
    assert "p0, p1, p2, p3, p4, p5, p6, … p2998 (2999 columns)" in dialog.summary_label.text()
    assert not dialog.findChildren(QtWidgets.QComboBox)  # no widget per column


def test_a_huge_one_line_file_is_refused_from_its_first_bytes(qtbot, tmp_path, monkeypatch):
    """A one-line file far larger than the preview reads (it froze the dialog for 14 s at 200 MB):
    the preview reads its first PREVIEW_BYTES, and says what is wrong."""
    monkeypatch.setattr(csv_dialog, "PREVIEW_BYTES", 65_536)
    reads = []
    real = csv_dialog.read_csv_head
    monkeypatch.setattr(csv_dialog, "read_csv_head", lambda *a: reads.append(a) or real(*a))
    text = tmp_path / "text.csv"
    text.write_text("x" * 1_000_000)
    dialog = open_dialog(qtbot, text)
    assert "the first line is longer than 65,536 bytes" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled() and not dialog.table.isVisibleTo(dialog)
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("0," * 500_000)
    dialog = open_dialog(qtbot, numbers)
    assert "more than 10,000 columns" in dialog.error_label.text() and "column limit" in dialog.error_label.text()
    assert [a[2] for a in reads] == [65_536, 65_536]


def test_a_file_with_too_many_columns_names_the_limit(qtbot, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{j}" for j in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n")
    dialog = open_dialog(qtbot, path)
    message = dialog.error_label.text()
    assert "column limit is 10,000" in message and "c1," not in message and len(message) < 300
    assert not dialog.ok_button.isEnabled()


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting(qtbot, tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    dialog = open_dialog(qtbot, fifo)  # opened without blocking: no writer is ever needed
    assert "not an ordinary file" in dialog.error_label.text()
    assert not dialog.ok_button.isEnabled()


def test_a_first_row_of_numbers_says_the_header_row_is_missing(qtbot, tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_text("0,0,1\n0,1,1\n1,0,1\n")
    dialog = open_dialog(qtbot, path)
    assert "no header row" in dialog.error_label.text() and "duplicate" not in dialog.error_label.text()
