"""The one number formatter: each function's output pinned on representative values."""

import math

import numpy as np
import pytest

from nnviz.core.numbers import (
    format_fixed,
    format_magnitude,
    format_percent,
    format_scientific,
    format_share,
    format_significant,
    format_typed,
    format_value,
    format_vector,
)

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("value, precision, text", [
    (0.5, 3, "0.5"), (-0.15, 3, "-0.15"), (1.0, 3, "1.0"), (0.0, 3, "0.0"), (-0.0, 3, "0.0"), (-1e-4, 3, "-1e-04"),
    (1 / 3, 6, "0.333333"), (4e-05, 3, "4e-05"), (12.0, 0, "12"), (2.5e9, 3, "2.5e+09"), (-0.0004, 3, "-4e-04"),
    (NAN, 3, "nan"), (INF, 3, "inf"), (-INF, 3, "-inf")])
def test_format_value(value, precision, text):
    assert format_value(value, precision) == text


def test_format_vector_shortens_long_rows_and_matrices():
    assert format_vector([0.5, -0.15]) == "[0.5, -0.15]"
    assert format_vector(np.float64(0.25)) == "0.25"
    assert format_vector(np.arange(10.0), 1, limit=4) == "[0.0, 1.0, 2.0, …, 9.0]"
    assert format_vector(np.eye(3), 0, limit=2) == "[[1, …, 0], [0, …, 0], …]"


@pytest.mark.parametrize("value, digits, missing, text", [
    (0.04409797, 4, "–", "0.0441"), (1 / 3, 4, "–", "0.3333"), (12345.678, 4, "–", "1.235e+04"),
    (1.0, 4, "–", "1"), (NAN, 4, "–", "–"), (-INF, 4, "–", "–"), (None, 4, "–", "–"),
    (1 / 3, 6, None, "0.333333"), (12345.678, 6, None, "12345.7"), (1.5e-9, 6, None, "1.5e-09"),
    (0.009995, 3, None, "0.01"), (NAN, 6, None, "nan"), (-INF, 3, None, "-inf")])
def test_format_significant(value, digits, missing, text):
    assert format_significant(value, digits, missing) == text


def test_format_significant_defaults_to_four_digits_and_a_dash():
    assert format_significant(2 / 3) == "0.6667" and format_significant(NAN) == "–"


@pytest.mark.parametrize("value, text", [(0.125, "12.5%"), (1 / 3, "33.3%"), (1.0, "100.0%"), (0.0, "0.0%"),
                                         (0.009995, "1.0%"), (None, "–"), (NAN, "–")])
def test_format_percent(value, text):
    assert format_percent(value) == text


def test_format_percent_decimals_and_missing():
    assert format_percent(1 / 3, 0) == "33%" and format_percent(None, missing="n/a") == "n/a"


@pytest.mark.parametrize("value, text", [(0.015, "1.5%"), (0.25, "25%"), (1.0, "100%"), (1 / 3, "33.3%"),
                                         (0.04409797, "4.41%"), (1e-5, "0.001%"), (None, "—"), (NAN, "NaN"),
                                         (INF, "NaN")])
def test_format_share(value, text):
    assert format_share(value) == text


@pytest.mark.parametrize("value, text", [(0.04409797, "0.0441"), (12.3456, "12.3"), (1.234e-5, "1.23e-5"),
                                         (5.0e7, "5.00e7"), (0.009995, "0.0100"), (0.0, "0"), (1.0, "1.00"),
                                         (12345.678, "1.23e4"), (None, "—"), (NAN, "NaN"), (INF, "∞"),
                                         (-INF, "-∞")])
def test_format_scientific(value, text):
    assert format_scientific(value) == text


def test_format_scientific_digits():
    assert format_scientific(0.04409797, 2) == "0.044" and format_scientific(1.234e-5, 4) == "1.234e-5"


@pytest.mark.parametrize("value, text", [(1e-7, "1e-7"), (-1e-7, "-1e-7"), (1e3, "1e3"), (1e-3, "1e-3"),
                                         (0.0441, "0.0441"), (0.009995, "0.01"), (12345.678, "1.23e+04"),
                                         (3e-5, "3.00e-05"), (0.0, "0"), (NAN, "nan"), (-INF, "-inf")])
def test_format_magnitude(value, text):
    assert format_magnitude(value) == text


@pytest.mark.parametrize("value, decimals, text", [(-3.1239910902657018, 1, "-3.1"), (0.25, 1, "0.2"),
                                                   (2.0, 2, "2.00"), (None, 1, "—"), (NAN, 1, "NaN"),
                                                   (INF, 1, "∞"), (-INF, 1, "-∞")])
def test_format_fixed(value, decimals, text):
    assert format_fixed(value, decimals) == text


@pytest.mark.parametrize("value, text", [(1e-5, "0.00001"), (0.03, "0.03"), (10.0, "10"), (0.0, "0"),
                                         (1e-8, "1e-08"), (5e7, "50000000.0"), (-0.15, "-0.15")])
def test_format_typed(value, text):
    assert format_typed(value) == text
    assert float(format_typed(value)) == value  # what is shown parses back to the same number
