"""Formulas as tokens, written as plain text or as LaTeX.

A formula is a tuple of tokens: plain text (``" + "``, ``"max("``), numbers (:class:`Num`, written at
the precision the reader chose) and symbols (:class:`Sym`, which carry their own LaTeX). A
:class:`Line` is ``lhs = rhs = result``, one line of a calculation. The walkthrough, the optimizers
and the losses build lines from tokens; :meth:`Line.text` and :meth:`Line.latex` write them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.numbers import format_operand, format_value, format_vector

#: how much of a calculation is written out (its table always has every number)
MAX_LINES = 8  # substituted lines (units, samples) shown in layer mode
MAX_TOTAL_LINES = 40  # lines of one operation in layer mode
MAX_ENTRIES = 8  # entries of one unit's row of a parameter written out
MAX_TERMS = 6  # terms of a sum written out before it is shortened to "a + b + c + … + z"
MAX_EXPANDED_BATCH = 4  # batch sums over at most this many samples are written out
MAX_EXTRA_DIGITS = 6  # a substituted line writes its numbers with up to this many more digits


@dataclass(frozen=True)
class Num:
    """A number in a formula; ``paren`` puts a negative number in brackets (``0.3*(-0.5)``)."""

    value: float
    paren: bool = False


@dataclass(frozen=True)
class Sym:
    """A symbol: its plain text and its LaTeX."""

    text: str
    latex: str


Token = str | Num | Sym


def sym(name: str, layer: int | None = None, unit: tuple[int, ...] | int | None = None) -> Sym:
    """``z1[2]`` / ``z^{(1)}_{2}``; names such as ``dL/dz`` become ``\\partial L/\\partial z``."""
    text = name if layer is None else f"{name}{layer}"
    latex = _LATEX_NAMES.get(name, name)
    if layer is not None:
        latex = f"{latex}^{{({layer})}}" if not latex.endswith("}") else latex.replace("@", str(layer))
    if unit is not None:
        unit = (unit,) if isinstance(unit, int) else unit
        text += "[" + ",".join(str(u + 1) for u in unit) + "]"
        latex += "_{" + ",".join(str(u + 1) for u in unit) + "}"
    return Sym(text, latex)


_LATEX_NAMES = {
    "dL/da": r"\frac{\partial L}{\partial a^{(@)}}", "dL/dz": r"\frac{\partial L}{\partial z^{(@)}}",
    "dL/dW": r"\frac{\partial L}{\partial W^{(@)}}", "dL/db": r"\frac{\partial L}{\partial b^{(@)}}",
    "f'": r"f'", "ℓ": r"\ell", "x_hat": r"\hat{x}", "m_hat": r"\hat{m}", "v_hat": r"\hat{v}",
}


@dataclass(frozen=True)
class Line:
    """``lhs = rhs = result``: one line of a calculation. ``rhs`` is empty when there is nothing to
    substitute; ``result`` is a number, a vector, or None (a formula in symbols only).

    A learner checks a substituted line by hand from the digits it shows, so the numbers of ``rhs``
    are written with as many more digits as it takes (up to :data:`MAX_EXTRA_DIGITS`) for the
    right-hand side, computed from them, to round to the shown result (see :meth:`extra_digits`).
    ``functions``: what the names in ``rhs`` compute, beyond the arithmetic :func:`evaluate` knows
    (an activation: ``{"relu": f}``)."""

    lhs: tuple[Token, ...]
    rhs: tuple[Token, ...] = ()
    result: object = None
    functions: Mapping[str, Callable[[float], float]] = field(default_factory=dict, compare=False, hash=False)

    def text(self, precision: int = 3, hide_result: bool = False) -> str:
        extra = self.extra_digits(precision)
        parts = [_plain(self.lhs, precision)]
        if self.rhs and not self.trivial:
            parts.append(_plain(self.rhs, precision, extra or 0))
        if self.result is None:
            return " = ".join(parts)
        result = "?" if hide_result else format_vector(self.result, precision)
        return " = ".join(parts) + (" ≈ " if extra is None else " = ") + result

    @property
    def trivial(self) -> bool:
        """The right-hand side is the result itself (a sum of one term): not worth writing twice."""
        return (len(self.rhs) == 1 and isinstance(self.rhs[0], Num) and self.result is not None
                and np.ndim(self.result) == 0 and float(self.rhs[0].value) == float(self.result))

    def extra_digits(self, precision: int) -> int | None:
        """How many more digits than ``precision`` the right-hand side's numbers need for it,
        computed from them, to give the result shown at ``precision``: 0 when none (or when the
        right-hand side is not arithmetic: symbols, elided terms), None when no number of digits
        up to :data:`MAX_EXTRA_DIGITS` does (the line then says ≈)."""
        if not self.rhs or self.trivial or self.result is None or np.ndim(self.result) != 0:
            return 0
        shown = format_value(self.result, precision)
        for extra in range(MAX_EXTRA_DIGITS + 1):
            value = self.recompute(precision, extra)
            if value is None:
                return 0
            if format_value(value, precision) == shown:
                return extra
        return None

    def recompute(self, precision: int, extra: int = 0) -> float | None:
        """The right-hand side computed from its numbers as written (after its last ``=``, if it
        has several), or None if it is not arithmetic."""
        text = _plain(self.rhs, precision, extra).rsplit(" = ", 1)[-1]
        return evaluate(text, self.functions)

    def latex(self, precision: int = 3, hide_result: bool = False) -> str:
        extra = self.extra_digits(precision)
        parts = [_latex(self.lhs, precision)]
        if self.rhs and not self.trivial:
            parts.append(_latex(self.rhs, precision, extra or 0))
        if self.result is None:
            return " = ".join(parts)
        result = "?" if hide_result else _latex_value(self.result, precision)
        return " = ".join(parts) + (r" \approx " if extra is None else " = ") + result


def _plain(tokens, precision: int, extra: int = 0) -> str:
    out = []
    for t in tokens:
        if isinstance(t, Num):
            s = format_operand(t.value, precision, extra)
            out.append(f"({s})" if t.paren and s.startswith("-") else s)
        elif isinstance(t, Sym):
            out.append(t.text)
        else:
            out.append(t)
    return "".join(out)


_LATEX_SYMBOLS = {
    "β": r"\beta ", "σ": r"\sigma ", "ε": r"\varepsilon ", "μ": r"\mu ", "α": r"\alpha ", "γ": r"\gamma ",
    "λ": r"\lambda ", "τ": r"\tau ", "δ": r"\delta ", "Φ": r"\Phi ", "φ": r"\varphi ", "ℓ": r"\ell ",
    "Σ": r"\sum ", "⊙": r" \odot ", "⊗": r" \otimes ", "·": r" \cdot ", "*": r" \cdot ", "−": "-", "²": "^{2}",
    "ᵀ": r"^{\top}", "←": r" \leftarrow ", "…": r"\dots ", "≤": r"\le ", "ḡ": r"\bar{g}", "½": r"\tfrac{1}{2}",
    "%": r"\%",
}
_LATEX_FUNCTIONS = {"ln": r"\ln ", "exp": r"\exp ", "max": r"\max ", "tanh": r"\tanh "}
_LATEX_HATS = {"x_hat": r"\hat{x}", "m_hat": r"\hat{m}", "v_hat": r"\hat{v}"}


def _latex_word(word: str) -> str:
    if word in _LATEX_HATS:
        return _LATEX_HATS[word]
    if word in _LATEX_FUNCTIONS:
        return _LATEX_FUNCTIONS[word]
    if " " in word:
        return rf"\text{{ {word} }}"
    return rf"\operatorname{{{word}}}" if len(word) > 1 else word


def latex_text(text: str) -> str:
    """Plain formula text as LaTeX math: Greek letters and operators as macros, function names as
    operators, words as \\text, √(…) as \\sqrt{…}, dL/dz as a partial derivative."""
    text = re.sub(r"√\(([^()]*)\)", r"√{\1}", text)
    text = re.sub(r"√([a-z]_hat|[A-Za-z]+)", r"√{\1}", text)
    text = re.sub(r"([βλ])(\d)", r"\1_\2", text)
    text = re.sub(r"dL/d([A-Za-z]+)", r"∂L/∂\1", text)
    out = []
    # words: x_hat-style names, runs of words with spaces ("over the batch of"), single words
    for piece in re.split(r"([a-z]_hat|[A-Za-z]{2,}(?: [A-Za-z]+)*|[A-Za-z]_[a-z])", text):
        if not piece:
            continue
        if re.fullmatch(r"[a-z]_hat|[A-Za-z]{2,}(?: [A-Za-z]+)*", piece):
            out.append(_latex_word(piece))
        elif re.fullmatch(r"[A-Za-z]_[a-z]", piece):
            out.append(piece)
        else:
            mapped = "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in piece)
            out.append(mapped.replace("√{", r"\sqrt{").replace("∂", r"\partial "))
    return "".join(out)


def _latex_number(value, precision: int, paren: bool = False, extra: int = 0) -> str:
    s = format_operand(value, precision, extra)
    s = re.sub(r"e([+-]?)0*(\d+)$",
               lambda m: r" \times 10^{" + ("-" if m.group(1) == "-" else "") + m.group(2) + "}", s)
    return f"({s})" if paren and s.startswith("-") else s


def _latex(tokens, precision: int, extra: int = 0) -> str:
    out = []
    root = False  # the last text ended with √: the next number or symbol goes under it
    for t in tokens:
        if isinstance(t, Num):
            piece = _latex_number(t.value, precision, t.paren, extra)
        elif isinstance(t, Sym):
            piece = "".join(_LATEX_SYMBOLS.get(ch, ch) if ord(ch) > 127 else ch for ch in t.latex)
            for name, macro in _LATEX_HATS.items():
                piece = piece.replace(name, macro)
        else:
            root_next = t.endswith("√")
            if t.startswith("ᵀ") and out:  # a transposed symbol: one base for the superscript
                out[-1] = "{" + out[-1] + "}"
            if t.startswith("²") and out and r"\times" in out[-1]:  # (1.2 × 10^{-4})^2
                out[-1] = "(" + out[-1] + ")"
            piece = latex_text(t[:-1] if root_next else t)
            if root:
                piece = "{" + piece + "}"
            out.append(piece)
            if root_next:
                out.append(r"\sqrt")
            root = root_next
            continue
        out.append("{" + piece + "}" if root else piece)
        root = False
    return "".join(out)


def _latex_value(value, precision: int) -> str:
    values = np.asarray(value, dtype=float)
    if values.ndim == 0:
        return _latex_number(values, precision)
    text = format_vector(values, precision)
    text = re.sub(r"-?[\d.]+e[+-]?\d+", lambda m: _latex_number(float(m.group()), precision), text)
    return text.replace("[", r"\left[").replace("]", r"\right]").replace("…", r"\dots")


# -- building right-hand sides ---------------------------------------------------------------------
def joined(items, sep) -> list:
    """``items`` with ``sep`` between each two."""
    out = []
    for k, item in enumerate(items):
        if k:
            out.append(sep)
        out.append(item)
    return out


def flattened(items):
    """The tokens of nested tuples and lists, in order."""
    for item in items:
        if isinstance(item, (tuple, list)):
            yield from flattened(item)
        else:
            yield item


def dot(w, x, name: str = "x") -> tuple:
    """``w1*x1 + w2*x2 + …`` with numbers (or symbols when ``x`` is None), shortened when long."""
    count = len(w)
    idx = list(range(count)) if count <= MAX_TERMS else [0, 1, 2, count - 1]
    out: list = []
    for pos, k in enumerate(idx):
        if pos:
            out.append(" + ")
            if count > MAX_TERMS and k == count - 1:
                out.append("… + ")
        out.append(Num(w[k], pos > 0))
        out.append("*")
        out.append(Sym(f"{name}[{k + 1}]", f"{name}_{{{k + 1}}}") if x is None else Num(x[k], True))
    return tuple(out)


# -- computing a right-hand side from the digits it shows ------------------------------------------
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp, "ln": math.log, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt, "abs": abs,
    "max": max, "min": min, "sign": lambda v: float(np.sign(v)), "identity": lambda v: v,
}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(.))")


class _NotArithmetic(Exception):
    """The text is not arithmetic this module can compute."""


def evaluate(text: str, functions: Mapping[str, Callable] | None = None) -> float | None:
    """The value of a written-out right-hand side (``0.2*1.0 + (-0.5)*0.5``, ``−[1.0·ln(0.6)]``,
    ``√2.0``, ``tanh(0.5)``, ``|0.3 − 1.0|``, ``(0.5 − 1.0)²``), or None when it is not arithmetic
    (symbols, ``…``, words) or cannot be computed (ln 0). ``functions`` adds named functions."""
    try:
        parser = _Parser(text, {**_FUNCTIONS, **(functions or {})})
        value = parser.expression()
        if parser.peek() is not None:
            raise _NotArithmetic(text)
        return float(value)
    except (_NotArithmetic, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None


class _Parser:
    """Recursive descent over the written operators: + − - · * × / ² √ ( ) [ ] | |."""

    def __init__(self, text: str, functions: Mapping[str, Callable]):
        self.tokens = [m.group().strip() for m in _TOKEN.finditer(text) if m.group().strip()]
        self.at, self.functions = 0, functions

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _NotArithmetic(f"expected {expected!r}, got {token!r}")
        self.at += 1
        return token

    def expression(self) -> float:
        value = self.term()
        while self.peek() in ("+", "−", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.unary()
        while self.peek() in ("*", "·", "×", "/"):
            value = value / self.unary() if self.take() == "/" else value * self.unary()
        return value

    def unary(self) -> float:
        if self.peek() in ("−", "-"):
            self.take()
            return -self.unary()
        return self.power()

    def power(self) -> float:
        value = self.primary()
        while self.peek() == "²":
            self.take()
            value = value * value
        return value

    def primary(self) -> float:
        token = self.take()
        closing = {"(": ")", "[": "]", "|": "|"}
        if token in closing:
            value = self.expression()
            self.take(closing[token])
            return abs(value) if token == "|" else value
        if token == "√":
            return math.sqrt(self.power())
        if token[0].isdigit():
            return float(token)
        if token in self.functions and self.peek() == "(":
            self.take("(")
            args = [self.expression()]
            while self.peek() == ",":
                self.take()
                args.append(self.expression())
            self.take(")")
            return float(self.functions[token](*args))
        raise _NotArithmetic(token)
