"""The limits of what nnviz takes (docs/model-format.md, "Limits"): each refused before the memory is
taken, with one line naming the limit; files that are not ordinary files refused at once; and no
message shows the text of a file beyond the one offending cell."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import csv_data, document, validation
from nnviz.core.csv_data import load_csv, read_csv_head
from nnviz.core.dataconfig import DataConfig, data_config_for
from nnviz.core.datasets import make_dataset
from nnviz.core.document import MAX_NUMBERS, build_network, load_model, read_document
from nnviz.core.errors import DataError, LimitError, ModelError, NnvizError
from nnviz.core.experiment import Experiment, default_document
from nnviz.core.validation import LIMITS_DOC, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_VALUES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model-format.md"


def _limit_message(info, name: str, value: int) -> str:
    message = str(info.value)
    assert "\n" not in message and len(message) < 300, message
    assert f"the {name} limit is {value:,}" in message and LIMITS_DOC in message, message
    return message


# -- rows, columns, values, parameters ---------------------------------------------------------------
def test_a_built_in_n_beyond_the_row_limit_is_refused_before_a_point_is_drawn():
    with pytest.raises(LimitError) as info:
        make_dataset("circle", n=300_000_000)
    assert _limit_message(info, "row", MAX_ROWS).startswith("n: 300,000,000 rows")
    assert len(make_dataset("circle", n=5)) == 5  # the limit is not all there is


def test_data_n_beyond_the_row_limit_is_refused_by_the_document():
    doc = {**default_document(), "data": {"dataset": "circle", "n": MAX_ROWS + 1}}
    with pytest.raises(LimitError) as info:
        build_network(doc)
    assert _limit_message(info, "row", MAX_ROWS).startswith("data.n: 10,000,001 rows")
    doc["data"]["n"] = MAX_ROWS  # at the limit: taken (only 4 points are drawn to check the noise)
    assert build_network(doc).meta["data"]["n"] == MAX_ROWS


def test_a_network_beyond_the_parameter_limit_is_refused_and_one_at_it_is_taken():
    # inputs 1, one dense layer of u units: 2u numbers (weight and bias)
    doc = {"format": "nnviz.model/1", "inputs": 1, "layers": [{"type": "dense", "units": MAX_NUMBERS // 2}]}
    assert build_network(doc).parameter_count == MAX_NUMBERS
    doc["layers"][0]["units"] += 1
    with pytest.raises(LimitError) as info:
        build_network(doc)
    assert _limit_message(info, "parameter", MAX_NUMBERS).startswith(f"layers[0]: {MAX_NUMBERS + 2:,} parameters")


def test_a_model_file_beyond_the_parameter_limit_is_named_by_its_file(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('{"format": "nnviz.model/1", "inputs": 1000, "layers": [{"type": "dense", "units": 100000}]}')
    with pytest.raises(LimitError, match=r"^huge\.json: layers\[0\]: 100,100,000 parameters"):
        load_model(path)


def test_inputs_beyond_the_column_limit_are_refused():
    doc = {**default_document(), "inputs": 10**9, "layers": [{"type": "dropout"}]}
    with pytest.raises(LimitError) as info:
        build_network(doc)
    _limit_message(info, "column", MAX_COLUMNS)


def test_inline_rows_beyond_the_limits_are_refused(monkeypatch):
    monkeypatch.setattr(document, "MAX_ROWS", 3)
    doc = {**default_document(), "data": {"inputs": [[0, 0]] * 4, "targets": [0, 1, 0, 1]}}
    with pytest.raises(LimitError) as info:
        build_network(doc)
    assert str(info.value).startswith("data.inputs: 4 rows") and "the row limit is 3" in str(info.value)
    monkeypatch.setattr(document, "MAX_VALUES", 5)
    doc["data"] = {"inputs": [[0, 0]] * 3, "targets": [0, 1, 0]}
    with pytest.raises(LimitError, match=r"^data\.inputs: 6 values.*the value limit is 5"):
        build_network(doc)


def _write_csv(path: Path, rows: int, columns: int = 3) -> Path:
    header = ",".join(f"c{j}" for j in range(columns))
    body = "".join(",".join(str((i + j) % 2) for j in range(columns)) + "\n" for i in range(rows))
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def test_a_csv_beyond_the_row_limit_stops_at_the_first_row_past_it(tmp_path, monkeypatch):
    path = _write_csv(tmp_path / "rows.csv", rows=6)
    monkeypatch.setattr(csv_data, "MAX_ROWS", 6)
    assert len(load_csv(path)) == 6
    monkeypatch.setattr(csv_data, "MAX_ROWS", 5)
    with pytest.raises(LimitError) as info:
        load_csv(path)
    assert _limit_message(info, "row", 5).startswith(f"{path}: more than 5 data rows")


def test_a_csv_beyond_the_value_limit_is_refused(tmp_path, monkeypatch):
    path = _write_csv(tmp_path / "values.csv", rows=4, columns=3)
    monkeypatch.setattr(csv_data, "MAX_VALUES", 11)  # 4 rows x 3 columns = 12
    with pytest.raises(LimitError) as info:
        load_csv(path)
    _limit_message(info, "value", 11)
    assert load_csv(path, inputs=["c0"], targets=["c2"]).X.shape == (4, 1)  # 8 values chosen: taken


def test_a_csv_of_100k_columns_gets_one_short_line(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column_{j}" for j in range(100_000)) + "\n" + ",".join(["1"] * 100_000) + "\n")
    for read in (load_csv, lambda p: read_csv_head(p, 20, 2**20)):
        with pytest.raises(LimitError) as info:
            read(path)
        message = _limit_message(info, "column", MAX_COLUMNS)
        assert "column_" not in message  # no header echoed


def test_a_data_row_of_too_many_fields_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n" + ",".join(["0"] * (MAX_COLUMNS + 5)) + "\n")
    with pytest.raises(LimitError, match=r", line 3: more than 10,000 columns"):
        load_csv(path)


# -- files ------------------------------------------------------------------------------------------
def test_a_file_beyond_the_size_limit_is_refused_from_its_size(tmp_path):
    """A sparse file: 256 MiB and a byte on paper, no disk taken, and never read."""
    for name, read in (("big.csv", load_csv), ("big.json", read_document)):
        path = tmp_path / name
        with open(path, "wb") as f:
            f.truncate(MAX_FILE_BYTES + 1)
        with pytest.raises(LimitError) as info:
            read(path)
        message = str(info.value)
        assert message.startswith(str(path)) and "the file size limit is 256 MiB" in message
    with pytest.raises(LimitError):
        read_csv_head(tmp_path / "big.csv", 20, 2**20)  # the dialog's preview too, at once


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    path = _write_csv(tmp_path / "small.csv", rows=3)
    monkeypatch.setattr(validation, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(LimitError, match="file size limit"):
        load_csv(path)


DEVICES = [d for d in ("/dev/zero", "/dev/urandom") if os.path.exists(d)]


@pytest.mark.skipif(not DEVICES, reason="no endless devices here")
@pytest.mark.parametrize("device", DEVICES)
def test_an_endless_device_is_refused_not_read(device):
    for read, error in ((load_csv, DataError), (read_document, ModelError), (load_model, ModelError),
                        (lambda p: read_csv_head(p, 20, 2**20), DataError)):
        with pytest.raises(error, match=f"^{device}: not an ordinary file"):
            read(device)


def _returns_at_once(call) -> BaseException | None:
    """Run ``call`` on a thread; the exception it raised, or a failure if it is still running after
    10 s (a FIFO waited on), after which the FIFO is opened to let it go."""
    outcome: list = []

    def target():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        pytest.fail("the read waited on the pipe")
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for read, error in ((load_csv, DataError), (read_document, ModelError),
                        (lambda p: read_csv_head(p, 20, 2**20), DataError)):
        exc = _returns_at_once(lambda read=read: read(fifo))
        assert isinstance(exc, error) and str(exc).startswith(f"{fifo}: not an ordinary file"), exc


def test_a_folder_or_a_missing_file_is_named():
    with pytest.raises(DataError, match="is a folder, not a CSV file$"):
        load_csv(Path(__file__).parent)
    with pytest.raises(DataError, match="no such file$"):
        load_csv(Path(__file__).parent / "missing.csv")


# -- no file text in messages ----------------------------------------------------------------------
SECRET = "root:x:0:0:SECRET-ACCOUNT:/root:/bin/bash\ndaemon:x:1:1:SECRET-DAEMON:/usr/sbin:/usr/sbin/nologin\n"


def test_a_data_entry_naming_a_file_that_is_not_csv_never_shows_its_text(tmp_path):
    """A model pointing at a password file: the error says what is wrong, never a line of it."""
    (tmp_path / "passwd").write_text(SECRET)
    model = tmp_path / "model.json"
    model.write_text('{"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1}], '
                     '"data": {"dataset": "./passwd"}}')
    net = load_model(model)
    with pytest.raises(DataError) as info:
        data_config_for(net, DataConfig(), model.parent)
    message = str(info.value)
    assert "SECRET" not in message and "root" not in message.replace(str(tmp_path), ""), message
    assert "no input columns" in message
    with pytest.raises(DataError) as info:
        Experiment().load_document(read_document(model), model.parent)
    assert "SECRET" not in str(info.value)


@pytest.mark.parametrize("kwargs, expected", [
    ({"targets": ["label"]}, "unknown target column 'label' (the file has 3 columns)"),
    ({"inputs": ["SECRET_ALPHX"]}, "unknown input column 'SECRET_ALPHX'; did you mean 'SECRET_ALPHA'?"),
    ({}, ", line 3, column 2: not a number: 'oops'"),
    ({"targets": ["SECRET_GAMMA"], "inputs": ["SECRET_BETA"]}, ", line 3, column 'SECRET_BETA': not a number: 'oops'"),
])
def test_a_csv_message_quotes_the_offending_cell_and_names_only_columns_given(tmp_path, kwargs, expected):
    path = tmp_path / "s.csv"
    path.write_text("SECRET_ALPHA,SECRET_BETA,SECRET_GAMMA\n1,2,3\n4,oops,6\n")
    with pytest.raises(DataError) as info:
        load_csv(path, **kwargs)
    message = str(info.value)
    assert message.endswith(expected), message
    given = {name for names in kwargs.values() for name in names}
    shown = set(re.findall(r"SECRET_[A-Z]+", message))
    assert shown <= given | {"SECRET_ALPHA"} and ("SECRET_ALPHA" not in shown or "did you mean" in message)


def test_a_long_offending_cell_is_shortened(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,b\n1," + "z" * 5000 + "\n")
    with pytest.raises(DataError) as info:
        load_csv(path, targets=["b"])
    assert len(str(info.value)) < len(str(path)) + 120 and "zzz..." in str(info.value)


@pytest.mark.parametrize("text", ["1,2,3\n4,5,6\n", "0,0,1\n0,1,1\n1,0,1\n", "0.5,-1,1e3\n1,2,3\n"])
def test_a_csv_without_a_header_row_says_so(tmp_path, text):
    path = tmp_path / "nohead.csv"
    path.write_text(text)
    for read in (load_csv, lambda p: read_csv_head(p, 20, 2**20)):
        with pytest.raises(DataError) as info:
            read(path)
        message = str(info.value)
        assert message.startswith(f"{path}, line 1: no header row: the first row holds numbers"), message
        assert "duplicate" not in message


def test_a_duplicate_number_among_names_asks_whether_the_first_row_is_data(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("0,label,0\n1,2,3\n")
    with pytest.raises(DataError, match=r"duplicate column name '0' \(columns 1 and 3\) \(is the first row data"):
        load_csv(path)


# -- the documentation -----------------------------------------------------------------------------
def test_every_limit_is_in_the_limits_section_with_its_value():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Limits"):]
    section = section[: section.index("\n## ", 1)]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (\w[\w ]*?) \| ([^|]+?) \|", section, flags=re.M)}
    from nnviz.core.errors import MAX_STEPS

    assert rows == {"limit": "value", "file size": f"{MAX_FILE_BYTES // 2**20} MiB", "rows": f"{MAX_ROWS:,}",
                    "columns": f"{MAX_COLUMNS:,}", "values": f"{MAX_VALUES:,}", "parameters": f"{MAX_NUMBERS:,}",
                    "steps": f"{MAX_STEPS:,}"}


def test_limits_are_nnviz_errors_so_every_handler_shows_them():
    assert issubclass(LimitError, NnvizError) and not issubclass(LimitError, (DataError, ModelError))
    assert np.dtype(np.float64).itemsize * MAX_VALUES <= 800 * 10**6  # the memory the docs promise


def test_a_plain_csv_beyond_the_row_limit_is_refused_before_a_number_is_parsed(tmp_path, monkeypatch):
    path = _write_csv(tmp_path / "rows.csv", rows=6)
    monkeypatch.setattr(csv_data, "MAX_ROWS", 5)
    monkeypatch.setattr(np, "loadtxt", lambda *a, **k: pytest.fail("parsed"))
    monkeypatch.setattr(csv_data._Table, "_careful", lambda *a: pytest.fail("parsed cell by cell"))
    with pytest.raises(LimitError, match="more than 5 data rows"):
        load_csv(path)
