"""How nnviz writes a number: every formatter of the app, the walkthrough and the reports, in one place.

- :func:`format_value` / :func:`format_vector`: a calculation's numbers, at a number of decimals
  (``0.5``, ``-0.15``, ``[0.5, -0.15]``), tiny ones in scientific notation so they do not read as 0.
- :func:`format_operand`: a number of a substituted line, with extra digits when the line needs them.
- :func:`format_significant`: a readout, to a number of significant digits (``0.04410``, ``1.5e-09``).
- :func:`format_percent` / :func:`format_share`: a share as a percentage (``12.5%`` / ``1.5%``).
- :func:`format_scientific`: a norm, 3 significant digits, scientific outside [1e-3, 1e4) (``1.23e-5``).
- :func:`format_magnitude`: an axis or readout of values spanning decades (``1e-7``, ``0.0123``, ``2.50e+04``).
- :func:`format_fixed`: a fixed number of decimals (``-3.1``), with ``∞`` for infinities.
- :func:`format_typed`: a number as people type it in a field (``0.00001``, ``10``, ``1e-08``).
"""

from __future__ import annotations

import math

import numpy as np

#: what a table cell shows for a value that is missing or not finite
MISSING = "–"
#: what the health strip and the report show for a measure that does not apply
NOT_APPLICABLE = "—"


def format_value(value: float, precision: int = 3) -> str:
    """A number at ``precision`` decimal places, rounded, without trailing zeros but with at least
    one decimal (``0.5``, ``-0.15``, ``1.0``); tiny non-zero numbers in scientific notation so that
    they do not read as zero (``4e-05``)."""
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value != 0 and (abs(value) < 0.5 * 10.0 ** -precision or abs(value) >= 1e9):
        mantissa, exponent = f"{value:.{max(precision - 1, 1)}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    text = f"{value:.{precision}f}"
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    if text in ("-0.0", "-0"):
        text = text[1:]
    return text


def format_operand(value: float, precision: int = 3, extra: int = 0) -> str:
    """A number of a substituted line: as :func:`format_value` writes it at ``precision``, with
    ``extra`` more digits in the same notation (``-0.378`` → ``-0.37806``, ``4e-05`` → ``4.0213e-05``),
    so that the line's arithmetic can be followed from the digits shown."""
    value = float(value)
    if not extra or not math.isfinite(value):
        return format_value(value, precision)
    if value != 0 and (abs(value) < 0.5 * 10.0 ** -precision or abs(value) >= 1e9):
        mantissa, exponent = f"{value:.{max(precision - 1, 1) + extra}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    return format_value(value, precision + extra)


def format_vector(values, precision: int = 3, limit: int = 8) -> str:
    """``[0.5, -0.15]``; rows of a matrix as ``[[…], […]]``; more than ``limit`` items shortened
    with ``…`` (the first ones, then the last)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        return format_value(values, precision)
    if values.ndim > 1:
        rows = [format_vector(row, precision, limit) for row in values[:limit]]
        if len(values) > limit:
            rows.append("…")
        return "[" + ", ".join(rows) + "]"
    items = [format_value(v, precision) for v in values[:limit]]
    if values.size > limit:
        items[-1:] = ["…", format_value(values[-1], precision)]
    return "[" + ", ".join(items) + "]"


def format_significant(value: float | None, digits: int = 4, missing: str | None = MISSING) -> str:
    """``digits`` significant digits (``f"{value:.4g}"``); None or a non-finite value as ``missing``
    (``missing`` None: non-finite values as Python writes them, ``nan``, ``inf``)."""
    if value is None:
        return MISSING if missing is None else missing
    value = float(value)
    if missing is not None and not math.isfinite(value):
        return missing
    return f"{value:.{digits}g}"


def format_percent(value: float | None, decimals: int = 1, missing: str = MISSING) -> str:
    """A share in [0, 1] as a percentage with ``decimals`` decimals (0.125 → ``12.5%``)."""
    if value is None or not math.isfinite(value):
        return missing
    return f"{100 * value:.{decimals}f}%"


def format_share(value: float | None) -> str:
    """A share as a percentage with 3 significant digits (0.015 → ``1.5%``, 0.25 → ``25%``);
    ``—`` when it does not apply, ``NaN`` when it is not finite."""
    if value is None:
        return NOT_APPLICABLE
    if not math.isfinite(value):
        return "NaN"
    return f"{100.0 * value:.3g}%"


def format_scientific(value: float | None, digits: int = 3) -> str:
    """``digits`` significant digits, scientific with a bare exponent below 1e-3 and from 1e4:
    0.0441, 12.3, 1.23e-5, 5.00e7; ``—`` when it does not apply, ``NaN``, ``∞``, ``-∞``."""
    if value is None:
        return NOT_APPLICABLE
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0.0:
        return "0"
    rounded = float(f"{value:.{digits - 1}e}")  # round first, so that no carry changes the width
    if 1e-3 <= abs(rounded) < 1e4:
        return f"{rounded:.{max(0, digits - 1 - math.floor(math.log10(abs(rounded))))}f}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def format_magnitude(value: float) -> str:
    """A value that may span decades: a power of ten of 1e±3 or beyond as ``1e-7``; 3 significant
    digits in [1e-3, 1e4); ``2.50e+04`` outside; ``0``; non-finite as Python writes it."""
    if not math.isfinite(value):
        return str(value)
    if value == 0.0:
        return "0"
    exponent = math.log10(abs(value))
    if exponent == round(exponent) and abs(exponent) >= 3:  # a threshold: 1e-7, not 1.00e-07
        return f"{'-' if value < 0 else ''}1e{int(round(exponent))}"
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"


def format_fixed(value: float | None, decimals: int = 1) -> str:
    """``decimals`` decimals (-3.12 → ``-3.1``); ``—`` when it does not apply, ``NaN``, ``∞``, ``-∞``."""
    if value is None:
        return NOT_APPLICABLE
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "-∞" if value < 0 else "∞"
    return f"{value:.{decimals}f}"


def format_typed(value: float) -> str:
    """A number as people type it: ``0.00001``, ``0.03``, ``10``, ``1e-08``."""
    value = float(value)
    if value == 0 or 1e-6 <= abs(value) < 1e7:
        return np.format_float_positional(value, trim="-")
    return repr(value)
