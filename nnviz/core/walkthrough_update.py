"""The update operations of the walkthrough: each parameter's optimizer update, as the optimizer
explains it (:meth:`nnviz.core.optimizers.Optimizer.explain_update`), and the perceptron rule,
which updates sample by sample. Each function takes the
:class:`~nnviz.core.walkthrough.Walkthrough`, the operation and the sample, and returns the fields
of its :class:`~nnviz.core.calculation.Calculation`."""

from __future__ import annotations

import numpy as np

from nnviz.core.calculation import AFTER, BEFORE, GRADIENT, Edit, Table
from nnviz.core.formula import MAX_ENTRIES, MAX_LINES, Line, Num, Sym, dot, latex_text
from nnviz.core.numbers import format_value
from nnviz.core.optimizers import ParamStep
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase
from nnviz.core.walkthrough_backward import rows_of
from nnviz.core.walkthrough_forward import unit_function


def update_calculation(walk, op, sample):
    """The update of one parameter (or one unit's row of it), rule by rule, as the optimizer explains it."""
    tr, net = walk.trace, walk.net
    i, name = op.layer, op.param
    rec = tr.layers[i]
    key = f"layers[{i}].{name}"
    before, after = rec.params_before[name], rec.params_after[name]
    sc = tr.optimizer_scalars
    lr = sc.get("lr", tr.lr)
    P = f"{net.layers[i].param_symbol(name)}{i + 1}"
    step = ParamStep(P, before, rec.grads[name], after,
                     {term: values[key] for term, values in tr.optimizer_state.items()},
                     {term: values[key] for term, values in tr.optimizer_state_before.items()},
                     sc, lr, tr.step + 1)
    explained = net.optimizer.explain_update(step)
    rules = explained.rules
    columns = {BEFORE: before, GRADIENT: step.grad}
    columns.update({r.column: r.value for r in rules if r.column})
    columns[AFTER] = after
    notes = [Phrase(QT_TRANSLATE_NOOP("", "Step t = {t}, learning rate lr = {lr}."), t=step.t, lr=format_value(lr, 6)),
             *explained.notes]
    formula = tuple(Line((r.rule,)) for r in rules)
    entries = list(np.ndindex(*before.shape))
    per_row = int(np.prod(before.shape[1:])) if before.ndim > 1 else 1

    def unit_lines(r):
        group = []
        row = entries[r * per_row:(r + 1) * per_row]
        for e in row[:MAX_ENTRIES]:
            index = ",".join(str(k + 1) for k in e)
            for rule in rules:
                lhs = rule.rule.split(" ← ")[0].split(" = ")[0]
                label = lhs.replace(P, f"{P}[{index}]") if P in lhs else f"{lhs}[{index}]"
                group.append(Line((Sym(label, latex_text(label)),), rule.rhs(e), float(rule.value[e])))
        if len(row) > MAX_ENTRIES:
            group.append(Line((Phrase(QT_TRANSLATE_NOOP("", "… {count} more entries of this row in the table"),
                                      count=len(row) - MAX_ENTRIES),)))
        return group

    groups = walk.groups(op, rows_of(before), unit_lines)
    if op.unit is not None:
        answer = after.reshape(rows_of(after), -1)[op.unit]
        label = f"{P}[{op.unit + 1}]"
        result = Line((Sym(f"{P}[{op.unit + 1}] (new)", P),), (),
                      answer.copy() if answer.size > 1 else float(answer[0]))
    else:
        answer = after.ravel() if after.size <= MAX_LINES else after.ravel()[:1]
        label = P
        result = Line((Sym(f"{P} (new)", P),), (), after.copy() if after.size > 1 else float(after.ravel()[0]))
    terms = {k: np.asarray(v) for k, v in columns.items()}
    terms.update({k: np.array(v) for k, v in sc.items()})
    writes = walk.refs_edges(i, op.unit) if name in ("weight", "gate_weight") else walk.refs_nodes(i + 1, unit=op.unit)
    return dict(formula=formula, lines=walk.per_unit(op, groups), result=result, answer=np.asarray(answer),
                answer_label=label, table=walk.param_table(i, name, columns, op.unit), notes=tuple(notes),
                terms=terms, reads=writes, writes=writes)


def perceptron_calculation(walk, op, sample):
    """Rosenblatt's rule on sample ``op.unit`` of the batch: output, error, new weights and bias."""
    tr = walk.trace
    rec = tr.perceptron[op.unit]
    x, target, z, out, err = rec["x"], rec["target"], rec["z"], rec["output"], rec["error"]
    w0, b0, w1, b1 = rec["weight_before"], rec["bias_before"], rec["weight_after"], rec["bias_after"]
    lr = tr.optimizer_scalars.get("lr", tr.lr)
    formula = (Line(("o = step(w · x + b)",)), Line(("e = y − o",)), Line(("w ← w + lr·e·x",)),
               Line(("b ← b + lr·e",)))
    lines = []
    for j in range(z.shape[0]):
        lines.append(Line((Sym("z", "z"),), dot(w0[j], x) + (" + ", Num(b0[j], True)), float(z[j])))
        lines.append(Line((Sym("o", "o"),), ("step(", Num(z[j]), ")"), float(out[j]),
                          {"step": unit_function(walk.net.layers[0].activation, z.shape[0], j)}))
        lines.append(Line((Sym("e", "e"),), (Num(target[j]), " − ", Num(out[j], True)), float(err[j])))
        for k in range(x.size):
            lines.append(Line((Sym(f"w[{k + 1}]", f"w_{{{k + 1}}}"),),
                              (Num(w0[j, k]), " + ", Num(lr), "*", Num(err[j], True), "*", Num(x[k], True)),
                              float(w1[j, k])))
        lines.append(Line((Sym("b", "b"),), (Num(b0[j]), " + ", Num(lr), "*", Num(err[j], True)), float(b1[j])))
    notes = [Phrase(QT_TRANSLATE_NOOP("", "Sample {sample} of the batch (training row {row}); lr = {lr}."),
                    sample=op.unit + 1, row=int(walk.rows[op.unit]) + 1, lr=format_value(lr, 6)),
             QT_TRANSLATE_NOOP("", "Right answer (e = 0): nothing changes. Wrong: the weights move towards (e = 1) "
                                   "or away from (e = −1) this input.")]
    errors = int(tr.optimizer_scalars.get("errors", 0))
    notes.append(Phrase(QT_TRANSLATE_NOOP("", "Misclassified in this batch: {errors} of {count}."), errors=errors,
                        count=len(tr.perceptron)))
    columns = {"x": np.append(x, np.nan), Phrase(QT_TRANSLATE_NOOP("", "w before")): np.append(w0[0], b0[0]),
               Phrase(QT_TRANSLATE_NOOP("", "w after")): np.append(w1[0], b1[0])}
    rows = tuple(f"w[{k + 1}]" for k in range(x.size)) + ("b",)
    values = np.column_stack(list(columns.values()))
    edits = {(k, 1): Edit("param", "layers[0].weight", (0, k)) for k in range(x.size)}
    edits[(x.size, 1)] = Edit("param", "layers[0].bias", (0,))
    after = list(columns).index("w after")
    table = Table(rows, tuple(columns), values, edits, None,
                  answer_of=lambda r, c: op.unit if c == after else None)
    result = Line((Sym("e", "e"),), (), err.copy() if err.size > 1 else float(err[0]))
    refs = walk.refs_edges(0) + walk.refs_nodes(1)
    return dict(formula=formula, lines=tuple(lines), result=result, answer=np.atleast_1d(err).astype(float),
                answer_label="e", table=table, notes=tuple(notes),
                terms={"z": z, "output": out, "error": err, "weight": w1, "bias": b1}, reads=walk.refs_nodes(0),
                writes=refs)
