"""Mutated valid documents through the whole experiment: each one is built into an
:class:`~nnviz.core.experiment.Experiment`, trained a few steps and drawn into a snapshot, or refused
with one line of nnviz's own (an :class:`~nnviz.core.errors.NnvizError`), never anything else.

The documents are the shipped examples and the app's default model, each changed one to three times
at random places (keys dropped, values of the wrong type, huge, negative or non-finite numbers, wrong
shapes, nulls, unicode, nested junk, layers added, dropped or swapped). A seeded loop, so a failure
names the case that reproduces it."""

from __future__ import annotations

import copy
import json
import math
import random
import traceback
from pathlib import Path

import pytest

from nnviz.core.document import read_document
from nnviz.core.errors import NnvizError
from nnviz.core.experiment import Experiment, default_document

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json"))
CASES = 4_000
SLICES = 8  # the cases are run in slices, so a failure names a smaller range

# values a field may be given instead of its own: wrong types, the edges of numbers, and text
JUNK = [
    None, True, False, 0, 1, -1, 2, 0.5, -0.0, -3.5, 1e-300, 1e308, -1e308, 10**7 + 1, 2**63, -(2**63), 10**30,
    math.nan, math.inf, -math.inf, "", "x", "dense", "tanh", "adam", "circle", "é🙂\u202e", "\ud800", "0", "1e5",
    [], {}, [0], [[0.0, 0.0]], [1, "a"], [[1, 2], [3]], {"name": None}, {"name": "sgd", "lr": -1},
    {"": 1}, {"name": "\x00"},
]
# names that are valid somewhere, so that a mutation also reaches the checks behind a name
NAMES = ["dense", "glu", "batchnorm", "layernorm", "rmsnorm", "dropout", "identity", "step", "sigmoid", "tanh",
         "relu", "leaky_relu", "prelu", "elu", "gelu", "swish", "softmax", "mse", "mae", "huber", "bce",
         "cross_entropy", "focal", "sgd", "adam", "adamw", "adagrad", "rmsprop", "perceptron", "constant", "cosine",
         "zeros", "normal", "xavier_uniform", "he_normal", "xor", "spiral", "square", "plane", "data.csv"]


def _seeds() -> list[tuple[str, dict]]:
    seeds = [("default_document()", default_document())]
    seeds += [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in EXAMPLES]
    return seeds


SEEDS = _seeds()


def _places(value, path=()):
    """Every (path, value) in a document, the document itself first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, (*path, i))


def _junk(rng: random.Random, depth: int = 0):
    """A junk value: one of JUNK, a name, or (now and then) a nest of them."""
    roll = rng.random()
    if roll < 0.1 and depth < 3:
        return [_junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.15 and depth < 3:
        return {rng.choice(["name", "type", "units", "lr", "x"]): _junk(rng, depth + 1) for _ in range(2)}
    if roll < 0.2:
        nest: list = []
        for _ in range(rng.choice([5, 40])):  # 40: deeper than a document may nest
            nest = [nest]
        return nest
    if roll < 0.35:
        return rng.choice(NAMES)
    return copy.deepcopy(rng.choice(JUNK))


def _mutate(doc: dict, rng: random.Random) -> str:
    """Change ``doc`` in one place; returns what was done, for the failure report."""
    places = list(_places(doc))
    path, value = rng.choice(places)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1] if path else None
    op = rng.choice(["drop", "junk", "junk", "number", "shape", "unknown", "layers"])
    if op == "drop" and isinstance(parent, (dict, list)) and path:
        del parent[key]
        return f"drop {path}"
    if op == "number" and isinstance(value, (int, float)) and not isinstance(value, bool) and path:
        new = rng.choice([-value, value * 1e300, value + 0.5, int(value) if math.isfinite(value) else 0,
                          float(value), value * 10**9, math.nan, 0, -1])
        parent[key] = new
        return f"set {path} = {new!r}"
    if op == "shape" and isinstance(value, list) and path:
        new = copy.deepcopy(value)
        choice = rng.randrange(4)
        if choice == 0:
            new.append(copy.deepcopy(new[-1]) if new else 0.0)
        elif choice == 1 and new:
            new.pop()
        elif choice == 2:
            new = [new]
        else:
            new = [list(row) for row in zip(*new)] if new and all(isinstance(r, list) for r in new) else new[:1]
        parent[key] = new
        return f"reshape {path} to {json.dumps(new, default=str)[:80]}"
    if op == "unknown" and isinstance(value, dict):
        name = rng.choice(["extra", "lyers", "units", "é", "weight", "alpha", "columns"])
        value[name] = _junk(rng)
        return f"add {(*path, name)} = {value[name]!r:.80}"
    if op == "layers" and isinstance(doc.get("layers"), list) and doc["layers"]:
        layers = doc["layers"]
        choice = rng.randrange(3)
        i = rng.randrange(len(layers))
        if choice == 0:
            layers.insert(i, copy.deepcopy(layers[i]))
            return f"duplicate layers[{i}]"
        if choice == 1:
            del layers[i]
            return f"drop layers[{i}]"
        j = rng.randrange(len(layers))
        layers[i], layers[j] = layers[j], layers[i]
        return f"swap layers[{i}] and layers[{j}]"
    if not path:
        return "unchanged"
    new = _junk(rng)
    parent[key] = new
    return f"set {path} = {new!r:.80}"


def _case(n: int) -> tuple[dict, str]:
    """Case ``n``: a seed document mutated one to three times (the same for the same ``n``)."""
    rng = random.Random(n)
    name, seed = rng.choice(SEEDS)
    doc = copy.deepcopy(seed)
    done = [_mutate(doc, rng) for _ in range(rng.choice([1, 1, 2, 3]))]
    return doc, f"case {n}: {name}, " + "; ".join(done)


def _run(doc: dict) -> str:
    """Build, train three steps (one at a time, then an epoch's worth), snapshot: "ran" or the one line
    of the NnvizError that refused it."""
    try:
        experiment = Experiment(doc)
        experiment.run(2)
        experiment.run_fast(1)
        experiment.snapshot()
        experiment.to_document()
    except NnvizError as exc:
        return str(exc)
    return "ran"


@pytest.mark.parametrize("part", range(SLICES))
def test_mutated_documents_run_or_are_refused_with_one_line(part):
    per = CASES // SLICES
    failures, ran = [], 0
    for n in range(part * per, (part + 1) * per):
        doc, what = _case(n)
        try:
            outcome = _run(copy.deepcopy(doc))
        except Exception as exc:  # noqa: BLE001 - the point: anything that is not nnviz's own
            frames = traceback.extract_tb(exc.__traceback__)[-3:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
            failures.append(f"{what}: {type(exc).__name__}: {str(exc)[:160]} at {where}")
            continue
        if outcome == "ran":
            ran += 1
        else:
            assert outcome and "\n" not in outcome and len(outcome) < 400, f"{what}: {outcome!r}"
    assert not failures, f"{len(failures)} of {per} cases raised something else:\n" + "\n".join(failures[:20])
    assert ran >= per // 10, f"only {ran} of {per} mutated documents ran: the mutations reach too little"


def test_the_cases_are_many_and_each_is_a_change_of_a_valid_document():
    assert CASES >= 2_000 and len(SEEDS) == 1 + len(EXAMPLES) >= 5
    for _, seed in SEEDS:
        assert _run(copy.deepcopy(seed)) == "ran"
    assert _case(7) == _case(7)  # the same case every time
    assert len({_case(n)[1] for n in range(200)}) > 150  # and different cases differ


def _members(value, path=()):
    """The path of every member of every object in a document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _members(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _members(item, (*path, i))


def _from_file(doc: dict, folder: Path) -> str:
    """``_run`` on the document as the app, the command line and the lessons read it: from a file."""
    path = folder / "model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        document = read_document(path)
    except NnvizError as exc:
        return str(exc)
    return _run(document)


def test_null_for_any_member_means_leaving_it_out(tmp_path):
    """A document's null member means "not given" (docs/model-format.md): with a null anywhere a
    member may be left out, the shipped documents run, and where it may not be, they are refused as
    without it."""
    checked = 0
    for name, seed in SEEDS:
        for path in _members(seed):
            with_null, without = copy.deepcopy(seed), copy.deepcopy(seed)
            parent, other = with_null, without
            for part in path[:-1]:
                parent, other = parent[part], other[part]
            parent[path[-1]] = None
            del other[path[-1]]
            null_outcome, left_out = _from_file(with_null, tmp_path), _from_file(without, tmp_path)
            assert null_outcome == left_out, f"{name}: {path} null gives {null_outcome!r}, left out {left_out!r}"
            checked += 1
    assert checked > 100
