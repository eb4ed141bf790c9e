"""Where an experiment's data come from and how they are fed: :class:`DataConfig`, and the one
reading of a model document's ``data`` entry that the app and the command line share."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from nnviz.core.csv_data import load_csv
from nnviz.core.data import Dataset, InputScaling
from nnviz.core.datasets import find_dataset
from nnviz.core.document import inline_dataset
from nnviz.core.network import Network
from nnviz.core.scaling import scaling_from_meta


@dataclass(frozen=True, eq=False)
class InlineData(Dataset):
    """Rows given inline in a model document (``data.inputs`` / ``data.targets``): imported rows
    that are saved back into the document, unlike a CSV file's."""


@dataclass(frozen=True)
class DataConfig:
    """Where the data come from and how they are fed: a built-in set, or imported rows (a CSV
    file's, or a document's own inline data)."""

    dataset: str = "circle"
    noise: float = 0.0
    n: int | None = None
    seed: int = 0
    test_fraction: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")  # used when the raw inputs are 2-D
    batch_size: int | None = 10  # None: full batch
    imported: Dataset | None = None  # a CSV file's rows or inline rows, when not a built-in
    shuffle: bool = True  # shuffle the rows every epoch (else take them in order)
    order_seed: int | None = None  # seeds the row order and dropout; None: the model's seed
    #: the input scaling (a method of nnviz.core.scaling.SCALINGS); None: the data set's default
    scaling: str | None = None
    #: the scaling's numbers as a saved model fixed them (None: from the training rows); the experiment
    #: drops them when the rows change
    scaling_stats: InputScaling | None = None

    @property
    def scaling_method(self) -> str:
        """The input scaling in force: the one chosen, else the built-in set's default, else none."""
        if self.scaling is not None:
            return self.scaling
        spec = find_dataset(self.dataset) if self.imported is None else None
        return spec.default_scaling if spec is not None else "none"

    @property
    def inline(self) -> bool:
        """Whether the rows are a document's inline data (saved back as ``inputs``/``targets``)."""
        return isinstance(self.imported, InlineData)

    def to_meta(self, folder: str | os.PathLike | None = None) -> dict | None:
        """The ``data`` entry of a model document saved in ``folder``: inline rows, a built-in set, or
        a CSV file (named relative to ``folder`` where it can be) with its columns; None for imported
        rows that are no file's as they are (edited)."""
        feeding = {"batch_size": self.batch_size, "shuffle": self.shuffle}
        rows = self.imported
        if self.inline:
            targets = rows.y[:, 0] if rows.y.shape[1] == 1 else rows.y
            targets = targets.tolist()
            if rows.task == "classification":  # labels and class indices as whole numbers
                targets = _whole_numbers(targets)
            return {"inputs": rows.X.tolist(), "targets": targets, **feeding}
        split = {"seed": self.seed, "test_fraction": self.test_fraction}
        if rows is not None:
            if rows.source is None:
                return None
            source = rows.source
            columns = {"inputs": list(source.inputs), "targets": list(source.targets)}
            return {"dataset": _file_name(source.path, folder), "columns": columns, **split, **feeding}
        meta = {"dataset": self.dataset, "noise": self.noise, **split}
        if self.n is not None:
            meta["n"] = self.n
        return {**meta, **feeding}


def _file_name(path: str, folder: str | os.PathLike | None) -> str:
    """``path`` relative to ``folder`` (with forward slashes), or absolute when it cannot be (no
    folder, or another drive)."""
    if folder is None:
        return path
    try:
        return Path(os.path.relpath(path, Path(folder).resolve())).as_posix()
    except ValueError:
        return path


#: data with fewer rows are not split: a test set of a row or two measures nothing, and the rows it
#: takes are missed in training (XOR trained on 2 of its 4 points cannot be learned)
MIN_SPLIT_ROWS = 10


def split_rows(cfg: DataConfig, rows: Dataset) -> tuple[Dataset, Dataset | None, str]:
    """``rows`` as ``(train, test, why)``: split by ``cfg.test_fraction``, except a truth table or data
    of fewer than :data:`MIN_SPLIT_ROWS` rows, which train and evaluate on every row (test None, and
    ``why`` says so; the fraction stays in ``cfg`` for bigger data)."""
    if cfg.test_fraction <= 0:
        return rows, None, ""
    spec = find_dataset(cfg.dataset) if cfg.imported is None else None
    if spec is not None and spec.tiny:
        return rows, None, f"{rows.name} is a truth table: it trains and is evaluated on all {len(rows)} rows"
    if len(rows) < MIN_SPLIT_ROWS:
        count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        return rows, None, (f"{rows.name} has only {count} (fewer than {MIN_SPLIT_ROWS}): it trains and is "
                            f"evaluated on all of them")
    train, test = rows.split(cfg.test_fraction, seed=cfg.seed)
    return train, test, ""


def _whole_numbers(values):
    if isinstance(values, list):
        return [_whole_numbers(v) for v in values]
    return int(values) if float(values).is_integer() else values


def data_config_for(net: Network, base: DataConfig, folder: str | os.PathLike | None = None) -> DataConfig | None:
    """The data a (validated) document's ``data`` entry asks for, as a change of ``base``: its
    inline rows, built-in set or (given the model file's ``folder``) CSV file named relative to it,
    with its ``columns``, ``batch_size`` (absent: full batch) and ``shuffle``. None when the document
    has no entry the app can load (none, or a CSV file and no folder); a CSV file that cannot be
    read raises its one-line DataError, naming the file."""
    meta = net.meta.get("data")
    if not meta:
        return None
    changes = {"batch_size": meta.get("batch_size"), "shuffle": meta.get("shuffle", True),
               "scaling": None, "scaling_stats": None}
    if "scaling" in meta:
        scaling = scaling_from_meta(meta["scaling"], net.inputs)
        if isinstance(scaling, InputScaling):
            changes["scaling"], changes["scaling_stats"] = scaling.name, scaling
        else:
            changes["scaling"] = scaling
    if net.inputs == 2:  # a 2-input model takes the plane as it is, whatever features came before
        changes["features"] = ("x1", "x2")
    if "inputs" in meta:
        name = net.meta.get("name") or "inline"
        rows = inline_dataset(meta, name)
        rows = InlineData(rows.X, rows.y, name, rows.task, rows.feature_names, rows.target_names)
        return replace(base, dataset=name, imported=rows, test_fraction=0.0, noise=0.0, n=None,
                       seed=net.seed, **changes)
    # the defaults of a "data" entry are those of `nnviz train`
    seed, test_fraction = int(meta.get("seed", net.seed)), float(meta.get("test_fraction", 0.0))
    spec = find_dataset(meta["dataset"])
    if spec is not None:
        return replace(base, dataset=spec.name, imported=None, noise=float(meta.get("noise", 0.0)),
                       n=meta.get("n"), seed=seed, test_fraction=test_fraction, **changes)
    if folder is None:
        return None
    columns = meta.get("columns", {})
    path = os.path.normpath(Path(folder) / meta["dataset"])
    rows = load_csv(path, targets=columns.get("targets"), inputs=columns.get("inputs"))
    return replace(base, dataset=rows.name, imported=rows, noise=0.0, n=None, seed=seed,
                   test_fraction=test_fraction, **changes)
