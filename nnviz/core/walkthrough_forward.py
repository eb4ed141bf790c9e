"""The forward operations of the walkthrough: a layer's ``z`` and its activation ``a``, with the step's
numbers put in. Each function takes the :class:`~nnviz.core.walkthrough.Walkthrough` (for the trace,
the network and the shared layout helpers), the operation and the sample, and returns the fields of
its :class:`~nnviz.core.calculation.Calculation`."""

from __future__ import annotations

import numpy as np

from nnviz.core.calculation import Edit, LazyEdits, LazyLabels, Table, unit_label
from nnviz.core.formula import MAX_LINES, Line, Num, Sym, dot, joined, sym
from nnviz.core.numbers import format_value
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase


def z_calculation(walk, op, sample):
    """A layer's pre-activation z: the weighted sums written out, or the layer's own arithmetic."""
    i = op.layer
    rec, n = walk.trace.layers[i], op.layer + 1
    x = rec.input
    xs = x[sample] if sample is not None else None
    groups: list[list[Line]] = []
    notes: list[str] = [Phrase(QT_TRANSLATE_NOOP("", "Input: {input}."), input=walk.sample_text(sample))]
    terms = {"x": x, "z": rec.z}
    layer = walk.net.layers[i]
    kind = rec.type
    p = rec.params_before
    if layer.AFFINE:
        W, b = p["weight"], p["bias"]
        formula = (Line((sym("z", n),), (sym("W", n), " · ", sym("a", n - 1), " + ", sym("b", n))),)
        groups = walk.groups(op, W.shape[0], lambda j: [Line(
            (sym("z", n, j),), dot(W[j], xs) + (" + ", Num(b[j], True)), float(rec.z[sample, j]))], sample)
        terms.update(W=W, b=b)
        table = (_weight_table(walk, i, W, b, x, rec.z, sample, op.unit) if sample is not None
                 else walk.unit_table(op, rec.z, f"z{n}", None))
    elif kind == "glu":
        e = rec.extras
        gate = layer.GATE_SYMBOLS[layer.variant]
        formula = (Line((Sym("u", "u"),), (sym("W", n), " · ", sym("a", n - 1), " + ", sym("b", n))),
                   Line((Sym("g", "g"),), (f"{gate}(", sym("Wg", n), " · ", sym("a", n - 1), " + ",
                                            sym("bg", n), ")")),
                   Line((sym("z", n),), ("g ⊙ u",)))
        groups = walk.groups(op, rec.z.shape[1], lambda j: [
            Line((Sym(f"u[{j + 1}]", f"u_{{{j + 1}}}"),), dot(p["weight"][j], xs) + (" + ", Num(p["bias"][j], True)),
                 float(e["value"][sample, j])),
            Line((Sym(f"g[{j + 1}]", f"g_{{{j + 1}}}"),), (f"{gate}(", Num(e["gate_z"][sample, j]), ")"),
                 float(e["gate"][sample, j])),
            Line((sym("z", n, j),), (Num(e["gate"][sample, j]), "*", Num(e["value"][sample, j], True)),
                 float(rec.z[sample, j]))], sample)
        terms.update({k: v for k, v in e.items()})
        table = walk.unit_table(op, rec.z, f"z{n}", sample,
                                 None if sample is None else {"u": e["value"][sample], "g": e["gate"][sample]})
    elif kind in ("batchnorm", "layernorm", "rmsnorm", "dropout"):
        formula, groups, table, more = _norm_lines(walk, op, rec, n, sample)
        notes += more
        terms.update({k: v for k, v in rec.extras.items()})
    else:  # a layer the walkthrough has no lines for: its result and table
        formula = (Line((sym("z", n),), (f"{layer.title or kind}(", sym("a", n - 1), ")")),)
        groups = [[] for _ in range(rec.z.shape[1])]
        table = walk.unit_table(op, rec.z, f"z{n}", sample)
    result, answer, label = walk.vector_result(op, "z", n, rec.z, sample)
    return dict(symbol=f"z{n}", formula=formula, lines=walk.per_unit(op, groups), result=result,
                answer=answer, answer_label=label, table=table, notes=tuple(notes), terms=terms,
                reads=walk.refs_nodes(i) + walk.refs_edges(i, op.unit),
                writes=walk.refs_nodes(i + 1, unit=op.unit))


def _weight_table(walk, i, W, b, x, z, sample, unit) -> Table:
    """Rows: the input, then one row per unit: its weights, its bias and its z."""
    n = i + 1
    fan_in = W.shape[1]
    columns = tuple(f"w[·,{k + 1}]" for k in range(fan_in)) + (f"b{n}", f"z{n}")
    values = np.full((W.shape[0] + 1, fan_in + 2), np.nan)
    values[0, :fan_in] = x[sample]
    values[1:, :fan_in] = W
    values[1:, fan_in] = b
    values[1:, fan_in + 1] = z[sample]
    row = int(walk.rows[sample])

    def edit(r, c):
        if r == 0:  # the inputs of the first layer are the data's, and editable
            return Edit("input", index=(row, c)) if i == 0 and c < fan_in else None
        if c < fan_in:
            return Edit("param", f"layers[{i}].weight", (r - 1, c))
        return Edit("param", f"layers[{i}].bias", (r - 1,)) if c == fan_in else None

    rows = LazyLabels(W.shape[0] + 1, lambda r: (f"a{n - 1} = x" if i == 0 else f"a{n - 1}") if r == 0
                      else unit_label(r - 1))
    return Table(rows, columns, values, LazyEdits(values.shape, edit), None if unit is None else unit + 1,
                 answer_of=lambda r, c: r - 1 if r > 0 and c == fan_in + 1 else None)


def _norm_lines(walk, op, rec, n, sample):
    """Formula, per-unit lines, table and notes of a normalisation or dropout layer."""
    e, kind = rec.extras, rec.type
    groups: list[list[Line]] = []
    notes: list[str] = []
    p = rec.params_before
    if kind == "dropout":
        formula = (Line((sym("z", n),), (sym("a", n - 1), " ⊙ mask")),)
        mask = e.get("mask")
        if mask is None:
            notes.append(QT_TRANSLATE_NOOP("", "Dropout is off (p = 0): z = x."))
        groups = walk.groups(op, rec.z.shape[1], lambda j: [Line(
            (sym("z", n, j),), (Num(rec.input[sample, j]), "*", Num(mask[sample, j])), float(rec.z[sample, j]))],
            None if mask is None else sample)
        if mask is not None:
            p_drop = walk.net.layers[rec.index].p
            scale = (format_value(1 / (1 - p_drop)) if p_drop < 1
                     else Phrase(QT_TRANSLATE_NOOP("", "nothing (p = 1)")))
            notes.append(Phrase(QT_TRANSLATE_NOOP("", "Each unit is kept with probability 1 − p = {keep} and scaled "
                                                      "by 1/(1 − p) = {scale}."),
                                keep=format_value(1 - p_drop), scale=scale))
        table = walk.unit_table(op, rec.z, f"z{n}", sample,
                                 None if sample is None or mask is None
                                 else {"x": rec.input[sample], "mask": mask[sample]})
        return formula, groups, table, notes
    if kind == "batchnorm":
        formula = (Line((Sym("μ", r"\mu"),), ("mean over the batch of ", sym("a", n - 1))),
                   Line((Sym("σ²", r"\sigma^2"),), ("mean over the batch of (", sym("a", n - 1), " − μ)²")),
                   Line((Sym("x_hat", r"\hat{x}"),), ("(", sym("a", n - 1), " − μ) / √(σ² + ε)")),
                   Line((sym("z", n),), ("γ ⊙ x_hat + β",)))
        mean, var = e["batch_mean"], e["batch_var"]
        extra = {"μ": mean, "σ²": var}
    elif kind == "layernorm":
        formula = (Line((Sym("μ", r"\mu"),), ("mean over the units of ", sym("a", n - 1))),
                   Line((Sym("σ²", r"\sigma^2"),), ("mean over the units of (", sym("a", n - 1), " − μ)²")),
                   Line((Sym("x_hat", r"\hat{x}"),), ("(", sym("a", n - 1), " − μ) / √(σ² + ε)")),
                   Line((sym("z", n),), ("γ ⊙ x_hat + β",)))
        extra = {}
        if sample is not None:
            notes.append(Phrase(QT_TRANSLATE_NOOP("", "This sample: μ = {mean}, σ² = {variance}."),
                                mean=format_value(e["mean"][sample]), variance=format_value(e["var"][sample])))
    else:
        a = sym("a", n - 1)  # the root as one symbol: its LaTeX a \sqrt over the whole mean
        root = Sym(f"√(mean({a.text}²) + ε)", rf"\sqrt{{\operatorname{{mean}}({{{a.latex}}}^{{2}}) + \varepsilon}}")
        formula = (Line((Sym("x_hat", r"\hat{x}"),), (a, " / ", root)),
                   Line((sym("z", n),), ("γ ⊙ x_hat",)))
        extra = {}
    def unit_lines(j):
        xh = e["x_hat"][sample, j]
        rhs = (Num(p["weight"][j]), "*", Num(xh, True))
        if "bias" in p:
            rhs += (" + ", Num(p["bias"][j], True))
        return [Line((Sym(f"x_hat[{j + 1}]", rf"\hat{{x}}_{{{j + 1}}}"),), (), float(xh)),
                Line((sym("z", n, j),), rhs, float(rec.z[sample, j]))]

    groups = walk.groups(op, rec.z.shape[1], unit_lines, sample)
    rows = dict(extra)
    rows["γ"] = p["weight"]
    if "bias" in p:
        rows["β"] = p["bias"]
    if sample is not None:
        rows["x_hat"] = e["x_hat"][sample]
    table = walk.unit_table(op, rec.z, f"z{n}", sample, rows)
    return formula, groups, table, notes


def a_calculation(walk, op, sample):
    """A layer's activation a = f(z), with the activation's own formula."""
    i = op.layer
    rec, n = walk.trace.layers[i], i + 1
    act = rec.activation
    f_text = walk.net.layers[i].activation.formula_text
    formula = (Line((sym("a", n),), (f"{act}(", sym("z", n), ")")),)
    if f_text != f"{act}(z)":
        formula += (Line((Sym(f"{act}(z)", rf"\mathrm{{{act}}}(z)"),), (f_text,)),)
    groups = []
    notes = []
    terms = {"z": rec.z, "a": rec.a}
    if not walk.net.layers[i].activation.elementwise:  # softmax: the row's exponentials and their sum
        groups, notes, extra = _softmax_lines(walk, rec, n, sample)
        terms.update(extra)
        lines = tuple(line for g in groups for line in g)
    else:
        activation = walk.net.layers[i].activation
        groups = walk.groups(op, rec.z.shape[1], lambda j: [Line(
            (sym("a", n, j),), (f"{act}(", Num(rec.z[sample, j]), ")"), float(rec.a[sample, j]),
            {act: unit_function(activation, rec.z.shape[1], j)})], sample)
        lines = walk.per_unit(op, groups)
    result, answer, label = walk.vector_result(op, "a", n, rec.a, sample)
    table = walk.unit_table(op, rec.a, f"a{n}", sample, None if sample is None else {f"z{n}": rec.z[sample]})
    nodes = walk.refs_nodes(i + 1, unit=op.unit)
    return dict(formula=formula, lines=lines, result=result, answer=answer, answer_label=label,
                table=table, notes=tuple(notes), terms=terms, reads=nodes, writes=nodes)


def unit_function(activation, units: int, unit: int):
    """The activation of unit ``unit`` of a layer of ``units`` as a function of one number (PReLU's
    slope differs from unit to unit), for a line to be computed from the digits it shows."""
    def f(value: float) -> float:
        return float(activation.forward(np.full((1, units), float(value)))[0, unit])
    return f


def _softmax_lines(walk, rec, n, sample):
    """Softmax written out: the shift m, the exponentials, their sum and the ratios."""
    z = rec.z
    stable = walk.net.layers[n - 1].activation.options.get("stable", True)
    if not stable:
        return _naive_softmax_lines(rec, n, sample)
    shift = z.max(axis=1, keepdims=True)
    ex = np.exp(z - shift)
    total = ex.sum(axis=1)
    notes = [QT_TRANSLATE_NOOP("", "Stable softmax: subtracting the largest z before exp changes nothing in the result "
                                   "(it cancels in the ratio) but keeps exp from overflowing.")]
    if sample is None:
        return [[]], notes, {"m": shift[:, 0], "exp(z - m)": ex, "sum": total}
    s = sample
    k = z.shape[1]
    shown = _shown(k)
    largest = ("max(",) + tuple(joined(_elided([Num(z[s, j]) for j in shown], k), ", ")) + (")",)
    lines = [Line((Sym("m", "m"),), largest, float(shift[s, 0]))]
    for j in shown:
        lines.append(Line((Sym(f"e[{j + 1}]", f"e_{{{j + 1}}}"),),
                          ("exp(", Num(z[s, j]), " − ", Num(shift[s, 0], True), ")"),
                          float(ex[s, j])))
    _sum_and_ratios(lines, rec, n, s, ex, total, shown)
    return [lines], notes, {"m": shift[:, 0], "exp(z - m)": ex, "sum": total}


def _shown(k: int) -> list[int]:
    """The indices written out of ``k``: all, or the first MAX_LINES − 1 and the last."""
    return list(range(k)) if k <= MAX_LINES else list(range(MAX_LINES - 1)) + [k - 1]


def _elided(items: list, k: int) -> list:
    """``items`` (one per shown index) with "…" before the last when some of the ``k`` are left out."""
    return items[:-1] + ["…", items[-1]] if k > MAX_LINES else items


def _sum_and_ratios(lines: list, rec, n, s: int, ex, total, shown: list[int]) -> None:
    """The softmax's sum S of the exponentials and each output's ratio exp / S, appended to ``lines``."""
    terms = _elided([Num(ex[s, j]) for j in shown], rec.z.shape[1])
    lines.append(Line((Sym("S", "S"),), tuple(joined(terms, " + ")), float(total[s])))
    for j in shown:
        lines.append(Line((sym("a", n, j),), (Num(ex[s, j]), " / ", Num(total[s])), float(rec.a[s, j])))


def _naive_softmax_lines(rec, n, sample):
    """The naive softmax (``"stable": false``) written out: exp(z) as it is, the sum and the ratios;
    above z ≈ 709.78 an exponential is infinite and its ratio NaN."""
    z = rec.z
    with np.errstate(over="ignore", invalid="ignore"):
        ex = np.exp(z)
        total = ex.sum(axis=1)
    notes = [QT_TRANSLATE_NOOP("", "Naive softmax (\"stable\": false): exp(z) without subtracting the largest z "
                                   "first. Above z ≈ 709.78, exp overflows to ∞, and ∞/∞ is NaN: subtracting the "
                                   "maximum prevents it.")]
    if sample is None:
        return [[]], notes, {"exp(z)": ex, "sum": total}
    s = sample
    k = z.shape[1]
    shown = _shown(k)
    lines = [Line((Sym(f"e[{j + 1}]", f"e_{{{j + 1}}}"),), ("exp(", Num(z[s, j]), ")"), float(ex[s, j]))
             for j in shown]
    _sum_and_ratios(lines, rec, n, s, ex, total, shown)
    return [lines], notes, {"exp(z)": ex, "sum": total}
