"""A model trained on a CSV file keeps the reference to it: the file (relative to the model's folder)
and the chosen columns are saved, validated and read back; a trained model is never refitted to
other data on opening."""

import json

import numpy as np
import pytest

from nnviz.core.csv_data import load_csv
from nnviz.core.dataconfig import DataConfig, data_config_for
from nnviz.core.document import build_network
from nnviz.core.errors import DataError, ModelError
from nnviz.core.experiment import Experiment, default_document


@pytest.fixture
def ten_csv(tmp_path):
    """Ten classes on three inputs, with a label column that is not the last one."""
    rng = np.random.default_rng(0)
    lines = ["a,b,digit,c"]
    for i in range(60):
        a, b, c = rng.normal(size=3).tolist()
        lines.append(f"{a!r},{b!r},{i % 10},{c!r}")
    path = tmp_path / "data" / "ten.csv"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n")
    return path


def _trained(rows, steps: int = 20) -> Experiment:
    exp = Experiment(data=DataConfig(imported=rows, dataset=rows.name))
    exp.run(steps)
    return exp


def test_an_imported_csv_knows_its_file_and_columns(ten_csv):
    rows = load_csv(ten_csv, targets=["digit"], inputs=["b", "a"])
    assert rows.source.path == str(ten_csv.resolve())
    assert (rows.source.inputs, rows.source.targets) == (("b", "a"), ("digit",))
    assert rows.astype(np.float32).source == rows.source  # the same rows
    train, test = rows.split(0.5)
    assert train.source is None and test.source is None  # some of them: not the file


def test_edited_rows_are_no_longer_the_file(ten_csv):
    rows = load_csv(ten_csv, targets=["digit"])
    exp = Experiment(data=DataConfig(imported=rows, dataset=rows.name, test_fraction=0.0))
    assert exp.data.to_meta()["dataset"] == str(ten_csv.resolve())
    exp.set_sample(0, 0, 0.5)
    assert exp.data.imported.source is None and exp.data.to_meta() is None


def test_the_csv_and_its_columns_round_trip_through_the_saved_model(ten_csv, tmp_path):
    rows = load_csv(ten_csv, targets=["digit"], inputs=["c", "a"])
    exp = _trained(rows)
    folder = tmp_path / "models"
    doc = exp.to_document(folder)
    assert doc["data"]["dataset"] == "../data/ten.csv"
    assert doc["data"]["columns"] == {"inputs": ["c", "a"], "targets": ["digit"]}
    doc = json.loads(json.dumps(doc))  # as the file holds it

    data = data_config_for(build_network(doc), DataConfig(), folder)
    again = data.imported
    np.testing.assert_array_equal(again.X, rows.X)
    np.testing.assert_array_equal(again.y, rows.y)
    assert (again.feature_names, again.target_names, again.source) == (("c", "a"), ("digit",), rows.source)
    assert (data.test_fraction, data.seed, data.batch_size) == (exp.data.test_fraction, exp.data.seed, 10)


def test_a_csv_that_cannot_be_related_to_the_folder_is_named_in_full(ten_csv):
    meta = DataConfig(imported=load_csv(ten_csv)).to_meta()
    assert meta["dataset"] == str(ten_csv.resolve())


def test_opening_a_model_trained_on_a_csv_loads_the_csv(ten_csv, tmp_path):
    exp = _trained(load_csv(ten_csv, targets=["digit"]), steps=30)
    doc = json.loads(json.dumps(exp.to_document(tmp_path)))

    fresh = Experiment()
    assert fresh.load_document(doc, tmp_path) == ""  # nothing refitted
    assert fresh.data.imported.name == "ten" and fresh.step == 30 and fresh.net.outputs == 10
    np.testing.assert_array_equal(fresh.X, exp.X)
    np.testing.assert_array_equal(fresh.net.flat_params, exp.net.flat_params)


def test_a_missing_csv_is_named_and_changes_nothing(ten_csv, tmp_path):
    doc = _trained(load_csv(ten_csv, targets=["digit"])).to_document(tmp_path)
    ten_csv.unlink()
    exp = Experiment()
    exp.run(5)
    with pytest.raises(DataError, match=r"ten\.csv: no such file"):
        exp.load_document(doc, tmp_path)
    assert exp.data.dataset == "circle" and exp.step == 5 and exp.net.outputs == 1


def test_a_trained_model_that_does_not_fit_the_data_is_refused(ten_csv, tmp_path):
    """Trained on ten classes, opened without its data (no folder): not refitted to circle."""
    doc = _trained(load_csv(ten_csv, targets=["digit"], inputs=["a", "b"])).to_document(tmp_path)
    exp = Experiment()
    exp.run(5)
    with pytest.raises(DataError) as refused:
        exp.load_document(doc)
    message = str(refused.value)
    assert "\n" not in message
    assert "circle is a binary classification data set and needs an output layer of 2 units (the model has 10 " \
           "units)" in message
    assert "import its data first (File › Import CSV data…)" in message
    assert exp.data.dataset == "circle" and exp.step == 5 and exp.net.outputs == 1


def test_a_trained_model_whose_loss_or_inputs_cannot_fit_the_data_is_refused(ten_csv):
    """A circle model (bce, one sigmoid output) opened on ten classes: refused, never refitted."""
    circle = Experiment()
    circle.run(3)
    trained = circle.to_document()
    del trained["data"]  # opened on the data in force
    ten = Experiment(data=DataConfig(imported=load_csv(ten_csv, targets=["digit"], inputs=["a", "b"])))
    with pytest.raises(DataError, match=r"^the model was trained on other data: .*bce.*then open it again$"):
        ten.load_document(trained)
    assert ten.net.loss.name == "cross_entropy" and ten.net.outputs == 10

    three = Experiment(data=DataConfig(imported=load_csv(ten_csv, targets=["digit"])))
    with pytest.raises(DataError, match=r"^the model was trained on other data: inputs: the model takes 2 inputs "
                                        r"but the data give 3 \(a, b, c\); choose its data set"):
        three.load_document(trained)
    assert three.net.inputs == 3


def test_an_untrained_document_is_fitted_to_the_data_as_before(ten_csv):
    exp = Experiment(data=DataConfig(imported=load_csv(ten_csv, targets=["digit"])))
    lesson = default_document()
    lesson["inputs"] = 3
    note = exp.load_document(lesson)
    assert "loss set to cross_entropy" in note and "output layer set to 10 units" in note
    assert exp.net.outputs == 10 and exp.net.loss.name == "cross_entropy"


@pytest.mark.parametrize("entry, error", [
    ({"dataset": "circle", "columns": {"targets": ["y"]}},
     "data.columns: only a CSV file has columns to choose; 'circle' is a built-in dataset"),
    ({"dataset": "a.csv", "columns": ["x", "y"]}, "data.columns: expected an object like"),
    ({"dataset": "a.csv", "columns": {"labels": ["y"]}}, "data.columns.labels: unknown key"),
    ({"dataset": "a.csv", "columns": {"targets": "y"}},
     "data.columns.targets: expected a non-empty list of column names, got 'y'"),
    ({"dataset": "a.csv", "columns": {"inputs": []}}, "data.columns.inputs: expected a non-empty list"),
    ({"dataset": "a.csv", "columns": {"inputs": ["x", 2]}}, "data.columns.inputs[1]: expected a column name, got 2"),
    ({"dataset": "a.csv", "columns": {"inputs": ["x", "x"]}}, "data.columns.inputs: a column is named twice"),
    ({"dataset": "a.csv", "columns": {"inputs": ["x"], "targets": ["x"]}},
     "data.columns: 'x' is both an input and a target"),
    ({"inputs": [[0.0, 1.0]], "targets": [1], "columns": {"targets": ["y"]}}, "data.columns: unknown key"),
])
def test_columns_are_validated_with_one_line_naming_the_field(entry, error):
    doc = {**default_document(), "data": entry}
    with pytest.raises(ModelError) as refused:
        build_network(doc)
    assert str(refused.value).startswith(error) and "\n" not in str(refused.value)


def test_columns_of_a_csv_entry_are_accepted():
    doc = {**default_document(), "data": {"dataset": "a.csv", "columns": {"inputs": ["x1", "x2"], "targets": ["y"]}}}
    assert build_network(doc).meta["data"]["columns"]["targets"] == ["y"]


def test_a_csv_named_in_a_document_is_found_next_to_the_document_not_the_working_folder(ten_csv, tmp_path,
                                                                                       monkeypatch):
    """The data path of a model file is relative to the model file, whatever folder nnviz runs in
    (the command line and the app's Open both give the model's folder)."""
    from nnviz.core.document import read_document

    model = tmp_path / "models" / "m.json"
    model.parent.mkdir()
    doc = {"format": "nnviz.model/1", "inputs": 3, "layers": [{"type": "dense", "units": 10}],
           "loss": "cross_entropy", "data": {"dataset": "../data/ten.csv", "columns": {"targets": ["digit"]}}}
    model.write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    data = data_config_for(build_network(read_document(model)), DataConfig(), model.parent)
    assert data.imported.source.path == str(ten_csv.resolve()) and len(data.imported) == 60
    exp = Experiment()
    exp.load_document(read_document(model), model.parent)
    assert exp.data.imported.source.path == str(ten_csv.resolve())
    assert data_config_for(build_network(read_document(model)), DataConfig(), None) is None  # no folder: not read
