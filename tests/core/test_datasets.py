"""Tests for nnviz.core.datasets: built-in generators, CSV loading, splits, features."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core.datasets import (
    BUILTIN,
    DATASETS,
    FEATURES,
    Dataset,
    expand_features,
    load_csv,
    load_data,
    make_dataset,
)
from nnviz.core.errors import DataError

RANDOM_SETS = ["circle", "xor2d", "gauss", "spiral", "plane", "multigauss"]
TRUTH = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}


def raises_data_error(*fragments: str):
    """Context manager: DataError whose single-line message contains every fragment."""

    class _Ctx:
        def __enter__(self):
            self._cm = pytest.raises(DataError)
            self.info = self._cm.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self._cm.__exit__(*exc)
            msg = str(self.info.value)
            assert "\n" not in msg, f"message is not one line: {msg!r}"
            for frag in fragments:
                assert frag in msg, f"{frag!r} not in {msg!r}"
            return handled

    return _Ctx()


# --------------------------------------------------------------------------- #
# Built-ins: reproducibility, shapes, dtypes
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", list(BUILTIN))
def test_same_seed_is_bit_identical(name):
    a = make_dataset(name, noise=0.2, seed=7)
    b = make_dataset(name, noise=0.2, seed=7)
    assert a.X.tobytes() == b.X.tobytes()
    assert a.y.tobytes() == b.y.tobytes()


@pytest.mark.parametrize("name", RANDOM_SETS + ["square"])
def test_different_seeds_differ(name):
    noise = 0.3 if name == "square" else 0.0  # square's x is a fixed grid; only noise is random
    a = make_dataset(name, noise=noise, seed=1)
    b = make_dataset(name, noise=noise, seed=2)
    assert not (np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y))


@pytest.mark.parametrize("name", list(BUILTIN))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shapes_dtypes_and_metadata(name, dtype):
    ds = make_dataset(name, dtype=dtype)
    n = DATASETS[name].default_n
    d = {"square": 1, "digits": 64}.get(name, 2)
    assert ds.X.shape == (n, d) and ds.y.shape == (n, 1)
    assert ds.X.dtype == dtype and ds.y.dtype == dtype
    assert len(ds) == n
    assert ds.name == name
    assert len(ds.feature_names) == d and len(ds.target_names) == 1
    assert np.isfinite(ds.X).all() and np.isfinite(ds.y).all()
    if name in ("plane", "multigauss", "square"):
        assert ds.task == "regression" and ds.n_classes is None
    elif name == "digits":
        assert ds.task == "classification" and set(np.unique(ds.y)) == set(range(10))
    else:
        assert ds.task == "classification" and ds.n_classes == 2
        assert set(np.unique(ds.y)) == {0.0, 1.0}


def test_default_sizes():
    assert DATASETS["circle"].default_n == 500 and DATASETS["square"].default_n == 200
    assert len(make_dataset("spiral")) == 500
    assert len(make_dataset("square")) == 200


def test_float32_is_float64_rounded():
    a = make_dataset("spiral", noise=0.1, seed=3)
    b = make_dataset("spiral", noise=0.1, seed=3, dtype=np.float32)
    np.testing.assert_array_equal(b.X, a.X.astype(np.float32))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 101])
@pytest.mark.parametrize("name", RANDOM_SETS)
def test_exact_n_including_odd(name, n):
    ds = make_dataset(name, n=n)
    assert len(ds) == n


@pytest.mark.parametrize("name", list(BUILTIN))
def test_name_is_case_insensitive(name):
    a, b = make_dataset(name.upper(), seed=4), make_dataset(name, seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)


# --------------------------------------------------------------------------- #
# Built-ins: geometry
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", list(TRUTH))
def test_truth_tables_exact(name):
    ds = make_dataset(name, n=123, noise=0.9, seed=5)  # n and noise ignored
    np.testing.assert_array_equal(ds.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y[:, 0], TRUTH[name])
    assert ds.task == "classification"


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral"])
@pytest.mark.parametrize("n", [500, 501])
def test_balanced_labels(name, n):
    ds = make_dataset(name, n=n, seed=2)
    ones = int(ds.y.sum())
    assert ones == n - n // 2


def test_classes_are_shuffled():
    # Playground shuffles; a label-sorted set would hurt in-order mini-batches.
    y = make_dataset("circle", seed=0).y[:, 0]
    assert 0 < y[:250].sum() < 250


def test_circle_geometry_without_noise():
    ds = make_dataset("circle", n=1000, seed=3)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    inside = ds.y[:, 0] == 1
    assert (r[inside] < 2.5).all()
    assert ((r[~inside] >= 3.5) & (r[~inside] <= 5.0)).all()
    assert r.max() > 4.5  # spans Playground's scale, not a unit circle


def test_circle_noise_flips_labels_but_not_points():
    clean = make_dataset("circle", seed=9)
    noisy = make_dataset("circle", noise=0.5, seed=9)
    np.testing.assert_array_equal(clean.X, noisy.X)
    flipped = (clean.y != noisy.y).mean()
    assert 0.01 < flipped < 0.5


def test_circle_noise_flip_rate_matches_playground():
    # Independent simulation of classifyCircleData at noise 0.3: inner points
    # keep label 1 iff their jittered position stays inside radius 2.5.
    rng = np.random.default_rng(12345)
    m, noise = 40000, 0.3
    r = np.concatenate([rng.uniform(0, 2.5, m), rng.uniform(3.5, 5, m)])
    a = rng.uniform(0, 2 * np.pi, 2 * m)
    p = np.column_stack([r * np.sin(a), r * np.cos(a)]) + rng.uniform(-5, 5, (2 * m, 2)) * noise
    truth = np.repeat([1.0, 0.0], m)
    expected = ((np.hypot(*p.T) < 2.5) != truth).mean()
    clean = make_dataset("circle", n=2 * m, seed=1)
    noisy = make_dataset("circle", n=2 * m, noise=noise, seed=1)
    assert abs((clean.y != noisy.y).mean() - expected) < 0.01


def test_xor2d_labels_are_sign_product():
    ds = make_dataset("xor2d", n=2000, seed=1)
    x1, x2 = ds.X.T
    np.testing.assert_array_equal(ds.y[:, 0], (x1 * x2 >= 0).astype(float))
    assert (np.abs(ds.X) >= 0.3).all() and (np.abs(ds.X) <= 5.3).all()  # padding off the axes
    assert 0.4 < ds.y.mean() < 0.6


def test_xor2d_noise_flips_some_labels():
    ds = make_dataset("xor2d", n=2000, noise=0.5, seed=1)
    x1, x2 = ds.X.T
    wrong = (ds.y[:, 0] != (x1 * x2 >= 0)).mean()
    assert 0.02 < wrong < 0.5


def test_gauss_centres_and_spread():
    ds = make_dataset("gauss", n=4000, seed=0)
    pos, neg = ds.X[ds.y[:, 0] == 1], ds.X[ds.y[:, 0] == 0]
    np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(pos.var(axis=0), [0.5, 0.5], rtol=0.1)  # Playground: variance 0.5
    wide = make_dataset("gauss", n=4000, noise=0.5, seed=0)
    np.testing.assert_allclose(wide.X[wide.y[:, 0] == 1].var(axis=0), [4, 4], rtol=0.1)


def test_spiral_arms_are_point_reflections():
    ds = make_dataset("spiral", n=400, seed=0)
    pos, neg = ds.X[ds.y[:, 0] == 1], ds.X[ds.y[:, 0] == 0]
    # Second arm is the first rotated by pi: (x, y) -> (-x, -y).
    a = pos[np.lexsort(pos.T)]
    b = -neg
    b = b[np.lexsort(b.T)]
    np.testing.assert_allclose(a, b, atol=1e-12)
    assert np.hypot(*ds.X.T).max() <= 5.0


def test_spiral_follows_playground_formula():
    n = 200
    ds = make_dataset("spiral", n=n, seed=0)
    pos = ds.X[ds.y[:, 0] == 1]
    pos = pos[np.argsort(np.hypot(*pos.T))]  # radius grows with the index i
    i = np.arange(n // 2)
    r, t = i / (n // 2) * 5, 1.75 * i / (n // 2) * 2 * np.pi
    np.testing.assert_allclose(pos, np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)


def test_spiral_noise_is_bounded_uniform():
    clean = make_dataset("spiral", seed=3)
    noisy = make_dataset("spiral", noise=0.4, seed=3)
    delta = noisy.X - clean.X
    assert np.abs(delta).max() <= 0.4 and np.abs(delta).max() > 0.3


def test_plane_target_without_noise():
    ds = make_dataset("plane", seed=5)
    np.testing.assert_allclose(ds.y[:, 0], ds.X.sum(axis=1) / 10, rtol=0, atol=1e-15)
    assert (np.abs(ds.X) <= 6).all() and np.abs(ds.X).max() > 5.5


def _playground_gaussian_label(x, y):
    # Straight transcription of Playground's regressGaussian getLabel loop.
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        d = math.hypot(x - cx, y - cy)
        new = sign * min(1.0, max(0.0, 1 - d / 2))
        if abs(new) > abs(label):
            label = new
    return label


def test_multigauss_matches_playground_formula():
    ds = make_dataset("multigauss", n=300, seed=8)
    expected = [_playground_gaussian_label(a, b) for a, b in ds.X]
    np.testing.assert_allclose(ds.y[:, 0], expected, atol=1e-12)
    assert ds.y.max() > 0.5 and ds.y.min() < -0.5


def test_square_fits_x_squared_exactly():
    ds = make_dataset("square")
    x = ds.X[:, 0]
    np.testing.assert_array_equal(x, np.linspace(-1, 1, 200))
    np.testing.assert_array_equal(ds.y[:, 0], x**2)


def test_square_noise_is_gaussian_with_given_std():
    ds = make_dataset("square", n=20000, noise=0.1, seed=1)
    resid = ds.y[:, 0] - ds.X[:, 0] ** 2
    assert abs(resid.mean()) < 0.005
    assert abs(resid.std() - 0.1) < 0.005
    big = make_dataset("square", noise=3.0)  # square accepts noise > 1
    assert big.y.std() > 1


# --------------------------------------------------------------------------- #
# Built-ins: argument errors
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_bad_n(bad):
    with raises_data_error("n must be a positive integer"):
        make_dataset("circle", n=bad)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "x"])
def test_bad_noise(bad):
    with raises_data_error("noise"):
        make_dataset("square", noise=bad)


def test_playground_noise_above_one_rejected():
    with raises_data_error("noise", "[0, 1]"):
        make_dataset("circle", noise=1.5)


def test_unknown_builtin_lists_names():
    with raises_data_error("'moons'", "circle", "spiral", "square"):
        make_dataset("moons")


@pytest.mark.parametrize("bad", [np.int32, "int64", "banana"])
def test_bad_dtype(bad):
    with raises_data_error("dtype"):
        make_dataset("xor", dtype=bad)


def test_bad_seed():
    with raises_data_error("seed"):
        make_dataset("gauss", seed=-1)


# --------------------------------------------------------------------------- #
# Dataset: split, astype, validation
# --------------------------------------------------------------------------- #


def _indexed(n: int) -> Dataset:
    # Row i holds i, so a split can be traced back to the original rows.
    X = np.arange(n, dtype=float).reshape(-1, 1)
    return Dataset(X, X[:, 0] * 2, "idx", "regression", ("i",), ("t",))


def test_split_sizes_disjoint_and_paired():
    ds = make_dataset("circle", n=100, seed=1)
    train, test = ds.split(0.3, seed=4)
    assert (len(train), len(test)) == (70, 30)
    rows = lambda d: {tuple(r) for r in np.hstack([d.X, d.y])}
    assert rows(train).isdisjoint(rows(test))
    assert rows(train) | rows(test) == rows(ds)
    assert train.name == ds.name and train.task == ds.task and test.feature_names == ds.feature_names


def test_split_reproducible_and_seed_dependent():
    ds = _indexed(50)
    a1, b1 = ds.split(0.5, seed=3)
    a2, b2 = ds.split(0.5, seed=3)
    a3, _ = ds.split(0.5, seed=4)
    assert np.array_equal(a1.X, a2.X) and np.array_equal(b1.X, b2.X)
    assert not np.array_equal(a1.X, a3.X)
    # shuffled, not a cut of the original order
    assert not np.array_equal(np.sort(b1.X[:, 0]), np.arange(25))
    assert not np.array_equal(np.sort(a1.X[:, 0]), np.arange(25, 50))


def test_split_zero_fraction_keeps_everything_in_train():
    train, test = _indexed(10).split(0.0)
    assert len(train) == 10 and len(test) == 0 and test.X.shape == (0, 1)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 300), f=st.floats(0.001, 0.999), seed=st.integers(0, 2**32))
def test_split_property(n, f, seed):
    train, test = _indexed(n).split(f, seed=seed)
    assert len(train) >= 1 and len(test) >= 1
    assert len(train) + len(test) == n
    ids = np.concatenate([train.X[:, 0], test.X[:, 0]])
    assert np.array_equal(np.sort(ids), np.arange(n))
    # targets stay paired with their inputs
    assert np.array_equal(train.y[:, 0], train.X[:, 0] * 2)
    assert abs(len(test) - n * f) <= 1 or len(test) in (1, n - 1)


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, float("nan")])
def test_split_bad_fraction(bad):
    with raises_data_error("test_fraction"):
        _indexed(10).split(bad)


def test_astype():
    ds = make_dataset("gauss", seed=1)
    f32 = ds.astype(np.float32)
    assert f32.X.dtype == np.float32 and f32.y.dtype == np.float32
    np.testing.assert_array_equal(f32.X, ds.X.astype(np.float32))
    assert ds.X.dtype == np.float64  # original untouched
    with raises_data_error("dtype"):
        ds.astype(int)


def test_astype_overflow_is_data_error():
    ds = Dataset(np.array([[1e300]]), np.array([[0.0]]), "big", "regression", ("a",), ("b",))
    with raises_data_error("float32"):
        ds.astype(np.float32)


def test_n_classes():
    y = np.array([0, 1, 2, 2, 1, 0, 3], dtype=float)
    ds = Dataset(np.zeros((7, 1)), y, "c", "classification", ("a",), ("b",))
    assert ds.n_classes == 4
    assert ds.y.shape == (7, 1)  # 1-D y becomes a column


def test_dataset_validation():
    with raises_data_error("rows"):
        Dataset(np.zeros((3, 2)), np.zeros((4, 1)), "bad", "regression", ("a", "b"), ("t",))
    with raises_data_error("feature names"):
        Dataset(np.zeros((3, 2)), np.zeros((3, 1)), "bad", "regression", ("a",), ("t",))
    with raises_data_error("task"):
        Dataset(np.zeros((3, 2)), np.zeros((3, 1)), "bad", "clustering", ("a", "b"), ("t",))


# --------------------------------------------------------------------------- #
# expand_features
# --------------------------------------------------------------------------- #


def test_expand_features_values_and_order():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    out = expand_features(X, list(FEATURES))
    a, b = X.T
    expected = np.column_stack([a, b, a**2, b**2, a * b, np.sin(a), np.sin(b)])
    np.testing.assert_array_equal(out, expected)
    rev = expand_features(X, ["sin x2", "x1*x2", "x1"])
    np.testing.assert_array_equal(rev, np.column_stack([np.sin(b), a * b, a]))


def test_expand_features_keeps_float32():
    X = np.ones((3, 2), dtype=np.float32)
    assert expand_features(X, ["x1^2"]).dtype == np.float32


def test_expand_features_errors():
    with raises_data_error("'cos x1'", "sin x1"):
        expand_features(np.zeros((2, 2)), ["x1", "cos x1"])
    with raises_data_error("2 columns", "(4, 3)"):
        expand_features(np.zeros((4, 3)), ["x1"])
    with raises_data_error("no input features"):
        expand_features(np.zeros((4, 2)), [])


# --------------------------------------------------------------------------- #
# CSV
# --------------------------------------------------------------------------- #


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(
        st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3),
        min_size=1,
        max_size=30,
    )
)
def test_csv_round_trips_exactly(tmp_path_factory, data):
    arr = np.array(data, dtype=np.float64)
    p = tmp_path_factory.mktemp("rt") / "rt.csv"
    lines = ["a,b,c"] + [",".join(repr(float(v)) for v in row) for row in arr]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_csv(p)
    assert ds.X.tobytes() == arr[:, :2].tobytes()
    assert ds.y.tobytes() == arr[:, 2:].tobytes()
    assert ds.feature_names == ("a", "b") and ds.target_names == ("c",)


def test_csv_defaults_and_task(tmp_path):
    p = write(tmp_path, "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", "xor.csv")
    ds = load_csv(p)
    assert ds.name == "xor" and ds.task == "classification" and ds.n_classes == 2
    np.testing.assert_array_equal(ds.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y[:, 0], [0, 1, 1, 0])


def test_csv_regression_when_not_integer_or_many_values(tmp_path):
    frac = write(tmp_path, "x,y\n1,0.5\n2,1\n")
    assert load_csv(frac).task == "regression"
    many = write(tmp_path, "x,y\n" + "".join(f"{i},{i}\n" for i in range(21)), "many.csv")
    assert load_csv(many).task == "regression"
    twenty = write(tmp_path, "x,y\n" + "".join(f"{i},{i}\n" for i in range(20)), "twenty.csv")
    assert load_csv(twenty).task == "classification"


def test_csv_select_columns_ignores_others(tmp_path):
    p = write(tmp_path, "id,a,b,t1,t2\nfoo,1,2,3,4\nbar,5,6,7,8\n")
    ds = load_csv(p, targets=["t2", "t1"], inputs=["b", "a"])
    np.testing.assert_array_equal(ds.X, [[2, 1], [6, 5]])
    np.testing.assert_array_equal(ds.y, [[4, 3], [8, 7]])
    assert ds.feature_names == ("b", "a") and ds.target_names == ("t2", "t1")
    single = load_csv(p, targets="t1", inputs=["a"])
    assert single.target_names == ("t1",)


def test_csv_semicolon_bom_crlf_blank_lines(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_bytes("\ufeffa;b\r\n1.5;2\r\n\r\n3;4\r\n".encode("utf-8"))
    ds = load_csv(p, dtype=np.float32)
    assert ds.feature_names == ("a",)
    np.testing.assert_array_equal(ds.X[:, 0], [1.5, 3])
    assert ds.X.dtype == np.float32


def test_csv_missing_file(tmp_path):
    with raises_data_error("nope.csv", "no such file"):
        load_csv(tmp_path / "nope.csv")


def test_csv_directory(tmp_path):
    with raises_data_error(str(tmp_path), "is a folder"):
        load_csv(tmp_path)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_csv_empty(tmp_path, text):
    with raises_data_error("data.csv", "empty"):
        load_csv(write(tmp_path, text))


def test_csv_header_only(tmp_path):
    with raises_data_error("data.csv", "no data rows"):
        load_csv(write(tmp_path, "a,b,c\n"))


def test_csv_headerless(tmp_path):
    with raises_data_error("data.csv", "line 1", "no header row"):
        load_csv(write(tmp_path, "1,2,3\n4,5,6\n"))


def test_csv_duplicate_columns(tmp_path):
    with raises_data_error("data.csv", "duplicate", "'a'", "columns 1 and 3"):
        load_csv(write(tmp_path, "a,b,a\n1,2,3\n"))


def test_csv_empty_column_name(tmp_path):
    with raises_data_error("data.csv", "column 2"):
        load_csv(write(tmp_path, "a,,c\n1,2,3\n"))


def test_csv_unknown_target_counts_the_columns_without_listing_them(tmp_path):
    p = write(tmp_path, "alpha,beta,gamma\n1,2,3\n")
    with raises_data_error("data.csv", "unknown target column 'z' (the file has 3 columns)") as info:
        load_csv(p, targets=["z"])
    assert "alpha" not in str(info.value)  # the header is the file's text: not shown


def test_csv_unknown_input_suggests_a_close_column(tmp_path):
    p = write(tmp_path, "alpha,beta,gamma\n1,2,3\n")
    with raises_data_error("data.csv", "unknown input column 'betta'; did you mean 'beta'?"):
        load_csv(p, inputs=["alpha", "betta"])


def test_csv_column_both_input_and_target(tmp_path):
    p = write(tmp_path, "a,b,c\n1,2,3\n")
    with raises_data_error("'c'", "both"):
        load_csv(p, inputs=["a", "c"], targets=["c"])


def test_csv_single_column_has_no_inputs(tmp_path):
    with raises_data_error("no input columns"):
        load_csv(write(tmp_path, "y\n1\n2\n"))


def test_csv_non_numeric_cell(tmp_path):
    p = write(tmp_path, "a,b,c\n1,2,3\n4,five,6\n")
    with raises_data_error("data.csv", "line 3, column 2: not a number: 'five'"):
        load_csv(p)
    with raises_data_error("data.csv", "line 3, column 'b': not a number: 'five'"):  # a column given is named
        load_csv(p, inputs=["a", "b"])


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_csv_non_finite_cell(tmp_path, cell):
    p = write(tmp_path, f"a,b,c\n1,2,3\n4,5,6\n7,8,{cell}\n")
    with raises_data_error("data.csv", "line 4, column 3", f"{cell!r} is not a finite number"):
        load_csv(p)


def test_csv_empty_cell(tmp_path):
    p = write(tmp_path, "a,b,c\n1,,3\n")
    with raises_data_error("data.csv", "line 2, column 2: empty cell"):
        load_csv(p)


def test_csv_ragged_row(tmp_path):
    p = write(tmp_path, "a,b,c\n1,2,3\n4,5\n7,8,9\n")
    with raises_data_error("data.csv", "line 3", "expected 3 fields, found 2"):
        load_csv(p)


def test_csv_line_numbers_count_blank_lines(tmp_path):
    p = write(tmp_path, "a,b\n\n1,2\n\n3,x\n")
    with raises_data_error("line 5", "'x'"):
        load_csv(p)


def test_csv_not_utf8(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("a,b\n1,2\nna\u00efve,3\n".encode("latin-1"))
    with raises_data_error("latin.csv", "line 3", "UTF-8"):
        load_csv(p)


def test_csv_float32_overflow(tmp_path):
    p = write(tmp_path, "a,b\n1,2\n1e300,3\n")
    assert load_csv(p).X[1, 0] == 1e300
    with raises_data_error("line 3, column 1: value too large for float32"):
        load_csv(p, dtype=np.float32)


# --------------------------------------------------------------------------- #
# load_data
# --------------------------------------------------------------------------- #


def test_load_data_builtin_and_csv(tmp_path):
    ds = load_data("spiral", n=40, noise=0.1, seed=2, dtype=np.float32)
    ref = make_dataset("spiral", n=40, noise=0.1, seed=2, dtype=np.float32)
    assert np.array_equal(ds.X, ref.X) and np.array_equal(ds.y, ref.y)
    p = write(tmp_path, "u,v,w\n1,2,3\n")
    csv_ds = load_data(str(p), targets=["u"])
    assert csv_ds.target_names == ("u",) and csv_ds.feature_names == ("v", "w")


def test_load_data_unknown_lists_builtins(tmp_path):
    with raises_data_error("'moons.csv'", "no such file", "and", "circle", "multigauss", "square"):
        load_data("moons.csv")


def test_load_data_builtin_rejects_columns():
    with raises_data_error("targets"):
        load_data("circle", targets=["label"])


def test_import_does_not_pull_in_qt():
    code = (
        "import sys, nnviz.core.datasets; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph')]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- the registry --------------------------------------------------------------------------------
def _stripes(rng, n, noise):
    """A toy data set for the registry tests: three classes in vertical stripes, one-hot targets."""
    X = rng.uniform(-3.0, 3.0, (n, 2))
    label = np.clip(np.floor(X[:, 0] + X[:, 1] * noise), -1, 1).astype(int) + 1
    return X, np.eye(3)[label]


@pytest.fixture
def stripes(monkeypatch):
    from nnviz.core.datasets import DatasetSpec

    spec = DatasetSpec("stripes", "Stripes", "Stripes: three classes side by side", "multiclass", 2, 3,
                       noise=True, tiny=False, default_n=90, default_test_share=0.2, generate=_stripes,
                       max_noise=1.0, shuffle=True)
    monkeypatch.setitem(DATASETS, "stripes", spec)
    return spec


def test_every_builtin_has_a_spec_that_describes_it():
    for name, spec in DATASETS.items():
        data = make_dataset(name)
        assert spec.name == name and BUILTIN[name] == spec.description
        assert data.X.shape == (4 if spec.tiny else spec.default_n, spec.inputs)
        assert data.task == ("regression" if spec.kind == "regression" else "classification")
        assert spec.classes is None or data.n_classes == spec.classes
    assert [n for n, s in DATASETS.items() if s.tiny] == ["and", "or", "xor"]
    assert not any(s.noise for s in DATASETS.values() if s.tiny)


def test_a_data_set_registered_at_run_time_can_be_made(stripes):
    data = make_dataset("Stripes", noise=0.1, seed=3)
    assert (len(data), data.X.shape[1], data.y.shape[1], data.task) == (90, 2, 3, "classification")
    assert data.n_classes == 3 and "stripes" in BUILTIN and BUILTIN["stripes"] == stripes.description
    np.testing.assert_array_equal(make_dataset("stripes", noise=0.1, seed=3).X, data.X)
    with raises_data_error("noise", "stripes"):
        make_dataset("stripes", noise=2.0)


def test_a_data_set_registered_at_run_time_works_in_documents_and_experiments(stripes):
    from nnviz.core import build_network
    from nnviz.core.experiment import Experiment

    doc = {"format": "nnviz.model/1", "inputs": 2, "loss": "cross_entropy", "seed": 1,
           "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                      {"type": "dense", "units": 3, "activation": "softmax"}],
           "data": {"dataset": "stripes", "n": 60, "test_fraction": 0.25}}
    assert build_network(doc).meta["data"]["dataset"] == "stripes"
    exp = Experiment(doc)
    assert exp.data.dataset == "stripes" and (len(exp.X), len(exp.X_test)) == (45, 15)
    exp.run(20)
    snap = exp.snapshot()
    assert snap.task == "classification" and snap.confusion.shape == (3, 3) and 0 <= snap.train_accuracy <= 1


def test_csv_plain_and_quoted_files_give_the_same_numbers(tmp_path):
    """A plain file is read by NumPy's parser, one with quotes cell by cell: the same numbers, bit
    for bit, and the same choice of columns."""
    rng = np.random.default_rng(3)
    values = rng.normal(size=(50, 4)) * 10.0 ** rng.integers(-300, 300, size=(50, 4))
    rows = [[repr(float(v)) for v in row] for row in values]
    plain = write(tmp_path, "a,b,c,d\r\n" + "".join(",".join(r) + "\r\n" + ("\r\n" if i % 7 == 0 else "")
                                                  for i, r in enumerate(rows)), "plain.csv")
    quoted = write(tmp_path, '"a",b,c,d\n' + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows), "quoted.csv")
    underscored = write(tmp_path, "a,b,c,d\n" + "".join(",".join(r) + "\n" for r in rows[:-1])
                        + "1_000," + ",".join(rows[-1][1:]) + "\n", "underscored.csv")  # NumPy refuses 1_000
    for kwargs in ({}, {"inputs": ["d", "b"], "targets": ["a"]}):
        a, b, c = (load_csv(p, **kwargs) for p in (plain, quoted, underscored))
        assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()
        assert c.X[:-1].tobytes() == a.X[:-1].tobytes() and 1000.0 in c.X[-1].tolist() + c.y[-1].tolist()
    assert load_csv(plain).X.tobytes() == values[:, :3].tobytes()


def test_csv_only_files_numpy_cannot_read_exactly_are_read_cell_by_cell(tmp_path, monkeypatch):
    from nnviz.core import csv_data

    def careful(*args):
        raise AssertionError("read cell by cell")

    monkeypatch.setattr(csv_data._Table, "_careful", careful)
    assert len(load_csv(write(tmp_path, "a,b\r\n1,2\r\n\r\n3,4\r\n"))) == 2
    for text in ('a,b\n"1",2\n', "a,b\n1_0,2\n", "a,b\n1,2\r3,4\r", "a,b\n1,2,3\n", "a,b\n1,2\n \n"):
        with pytest.raises(AssertionError, match="cell by cell"):
            load_csv(write(tmp_path, text))
