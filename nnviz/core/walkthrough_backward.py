"""The loss and the backward operations of the walkthrough: ``L``, then from the output down ``dL/da``,
``dL/dz``, the parameters' gradients and ``dL/dx``, with the step's numbers put in. Each function
takes the :class:`~nnviz.core.walkthrough.Walkthrough`, the operation and the sample, and returns the
fields of its :class:`~nnviz.core.calculation.Calculation`; the loss and the activation explain
their own part (formula, dL/da rule, per-sample lines, derivative)."""

from __future__ import annotations

import numpy as np

from nnviz.core.calculation import GRADIENT, Edit, LazyEdits, Table, sample_label, unit_label
from nnviz.core.formula import MAX_ENTRIES, MAX_EXPANDED_BATCH, MAX_LINES, Line, Num, Sym, dot, flattened, joined, sym
from nnviz.core.numbers import format_value, format_vector
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase


def rows_of(array: np.ndarray) -> int:
    """The rows of a parameter (its units); 1 for a scalar."""
    return int(array.shape[0]) if array.ndim else 1


def loss_calculation(walk, op, sample):
    """The loss: its formula, the sample's loss with its numbers, the batch mean."""
    tr, net = walk.trace, walk.net
    last = tr.layers[-1]
    L = len(tr.layers)
    loss = net.loss
    a, y = last.a, tr.y
    k = a.shape[1]
    lines: list[Line] = []
    notes = loss.notes(last.activation)
    if sample is not None:
        s = sample
        lines, more = loss.sample_lines(a[s:s + 1], y[s:s + 1], last.z[s:s + 1], last.activation,
                                        float(walk.sample_losses[s]))
        notes += more
        notes.insert(0, Phrase(QT_TRANSLATE_NOOP("", "ℓ is the loss of {input}; L is the mean over the batch."),
                               input=walk.sample_text(sample)))
    losses = walk.sample_losses
    rhs: tuple = ()
    if walk.batch <= MAX_EXPANDED_BATCH and walk.batch > 1:
        rhs = ("(",) + tuple(joined([Num(v) for v in losses], " + ")) + (f") / {walk.batch}",)
        if tr.regularization_loss:
            rhs += (" + ", Num(tr.regularization_loss))
    if tr.regularization_loss:
        notes.append(Phrase(QT_TRANSLATE_NOOP("", "With regularisation: L = {data} (data) + {penalty} (penalty) "
                                                  "= {loss}."),
                            data=format_value(tr.data_loss, 6), penalty=format_value(tr.regularization_loss, 6),
                            loss=format_value(tr.loss, 6)))
    result = Line((Sym("L", "L"),), rhs, float(tr.loss))
    rows = tuple(sample_label(s) for s in range(walk.batch))
    whole = ()
    if walk.class_indices:  # the data hold one class index per row; y is its one-hot row
        columns = tuple(f"a{L}[{j + 1}]" for j in range(k)) + (Phrase(QT_TRANSLATE_NOOP("", "target")), "ℓ")
        values = np.column_stack([a, y.argmax(axis=1), losses])
        edits = {(s, k): Edit("target", index=(int(walk.rows[s]), 0)) for s in range(walk.batch)}
        whole = (k,)
        notes.append(Phrase(QT_TRANSLATE_NOOP("", "The targets are class indices counted from 0, as in the data: "
                                                  "target 0 is class 1 (output unit 1), target {last} is class "
                                                  "{count}."),
                            last=k - 1, count=k))
    else:
        columns = tuple(f"a{L}[{j + 1}]" for j in range(k)) + tuple(f"y[{j + 1}]" for j in range(k)) + ("ℓ",)
        values = np.column_stack([a, y, losses])
        edits = {(s, k + j): Edit("target", index=(int(walk.rows[s]), j)) for s in range(walk.batch)
                 for j in range(k)}
    loss_column = values.shape[1] - 1
    table = Table(rows, columns, values, edits, None if sample is None else sample, whole_columns=whole,
                  answer_of=lambda r, c: 0 if c == loss_column else None)
    out_nodes = walk.refs_nodes(L)
    return dict(formula=(Line((Sym("L", "L"),), (loss.formula(format_value),)),), lines=tuple(lines), result=result,
                answer=np.array([tr.loss]), answer_label="L", table=table, notes=tuple(notes),
                terms={"per_sample": losses, "data_loss": np.array(tr.data_loss),
                       "regularization": np.array(tr.regularization_loss)},
                reads=out_nodes, writes=())


def da_calculation(walk, op, sample):
    """dL/da at the output, by the loss's own rule."""
    tr, net = walk.trace, walk.net
    i = op.layer
    rec, n = tr.layers[i], i + 1
    a, y, da = rec.a, tr.y, rec.da
    loss = net.loss
    N = loss.mean_count(a)
    formula = (Line((sym("dL/da", n),), (loss.output_grad_rule(rec.activation),)),)
    s = sample

    def unit_lines(j):
        return [Line((sym("dL/da", n, j),), loss.output_grad_terms(a[s, j], y[s, j], N, rec.activation),
                     float(da[s, j]))]

    groups = walk.groups(op, a.shape[1], unit_lines, sample)
    over = Phrase(QT_TRANSLATE_NOOP("", "every output of every sample") if a.size == N and a.shape[1] > 1
                  else QT_TRANSLATE_NOOP("", "the batch"))
    notes = [Phrase(QT_TRANSLATE_NOOP("", "N = {N}: the loss is a mean over {over}."), N=N, over=over)]
    if tr.fused:
        notes.append(QT_TRANSLATE_NOOP("", "Shown for completeness: with this loss and output activation the "
                                           "backward pass skips dL/da and takes dL/dz = (p − y)/N directly (next "
                                           "step), which is exact and stable."))
    result, answer, label = walk.vector_result(op, "dL/da", n, da, sample, total=True)
    table = walk.unit_table(op, da, f"dL/da{n}", sample,
                             None if sample is None else {f"a{n}": a[sample], "y": y[sample]}, total=True)
    nodes = walk.refs_nodes(i + 1, unit=op.unit)
    return dict(formula=formula, lines=walk.per_unit(op, groups), result=result, answer=answer,
                answer_label=label, table=table, notes=tuple(notes), terms={"da": da, "a": a, "y": y},
                reads=nodes, writes=nodes)


def dz_calculation(walk, op, sample):
    """dL/dz: through the activation's derivative, or fused with the loss as (p − y)/N."""
    tr = walk.trace
    i = op.layer
    rec, n = tr.layers[i], i + 1
    last = i == len(tr.layers) - 1
    groups = []
    notes = []
    terms = {"da": rec.da, "dz": rec.dz}
    act = rec.activation
    activation, loss = walk.net.layers[i].activation, walk.net.loss
    if last and tr.fused:
        N = loss.mean_count(rec.a)
        formula = (Line((sym("dL/dz", n),), ("(p − y) / N",)),)
        groups = walk.groups(op, rec.z.shape[1], lambda j: [Line(
            (sym("dL/dz", n, j),), ("(", Num(rec.a[sample, j]), " − ", Num(tr.y[sample, j], True), f") / {N}"),
            float(rec.dz[sample, j]))], sample)
        notes.append(Phrase(QT_TRANSLATE_NOOP("", "The {loss} loss and the {activation} output are differentiated "
                                                  "together: dL/da ⊙ {activation}'(z) simplifies to (p − y)/N, "
                                                  "N = {N}."),
                            loss=Phrase(loss.title or loss.name), activation=act, N=N))
    elif not activation.elementwise:  # softmax: the Jacobian of the row times dL/da
        formula = (Line((sym("dL/dz", n),), ("a ⊙ (dL/da − Σ_j (dL/da)_j·a_j)",)),)
        dot = np.sum(rec.da * rec.a, axis=1)
        groups = walk.groups(op, rec.z.shape[1], lambda j: [Line(
            (sym("dL/dz", n, j),), (Num(rec.a[sample, j]), "·(", Num(rec.da[sample, j]), " − ",
                                     Num(dot[sample], True), ")"), float(rec.dz[sample, j]))], sample)
        terms["Σ da·a"] = dot
    else:
        deriv = activation.derivative_text
        formula = (Line((sym("dL/dz", n),), (sym("dL/da", n), " ⊙ ", sym("f'", None), "(", sym("z", n), ")")),
                   Line((Sym(f"{act}'(z)", rf"\mathrm{{{act}}}'(z)"),), (deriv,)))
        groups = walk.groups(op, rec.z.shape[1], lambda j: [Line(
            (sym("dL/dz", n, j),), (Num(rec.da[sample, j]), "*", Num(rec.dadz[sample, j], True)),
            float(rec.dz[sample, j]))], sample)
        terms["f'(z)"] = rec.dadz
        if activation.backward_note:
            notes.append(Phrase(activation.backward_note))  # translated where activations.py marks it
    result, answer, label = walk.vector_result(op, "dL/dz", n, rec.dz, sample, total=True)
    extra = None
    if sample is not None:
        extra = {f"dL/da{n}": rec.da[sample]}
        if rec.dadz is not None and not (last and tr.fused):
            extra[f"f'(z{n})"] = rec.dadz[sample]
    table = walk.unit_table(op, rec.dz, f"dL/dz{n}", sample, extra, total=True)
    nodes = walk.refs_nodes(i + 1, unit=op.unit)
    return dict(formula=formula, lines=walk.per_unit(op, groups), result=result, answer=answer,
                answer_label=label, table=table, notes=tuple(notes), terms=terms, reads=nodes, writes=nodes)


def grad_calculation(walk, op, sample):
    """dL/d(parameter): the batch sums written out for an affine layer, else the layer's rule."""
    tr, net = walk.trace, walk.net
    i, name = op.layer, op.param
    rec, n = tr.layers[i], i + 1
    grad = rec.grads[name]
    layer = net.layers[i]
    psym = layer.param_symbol(name)
    reg = net.regularization if getattr(net, "regularization", None) else {"l1": 0.0, "l2": 0.0}
    regularized = name in layer.REGULARIZED
    l1, l2 = (reg.get("l1", 0.0), reg.get("l2", 0.0)) if regularized else (0.0, 0.0)
    coef = tr.clip_coef
    groups: list[list[Line]] = []
    notes = []
    B = walk.batch
    samples = range(B) if B <= MAX_EXPANDED_BATCH else None
    x, dz, W = rec.input, rec.dz, rec.params_before[name]
    if layer.AFFINE and name in ("weight", "bias"):
        if name == "weight":
            formula = (Line((sym("dL/dW", n),), ("Σ over the batch of ", sym("dL/dz", n), " · ",
                                                  sym("a", n - 1), "ᵀ")),)
        else:
            formula = (Line((sym("dL/db", n),), ("Σ over the batch of ", sym("dL/dz", n))),)
        def unit_lines(j):
            group = []
            ks = list(range(grad.shape[1])) if name == "weight" else [None]
            for k in ks[:MAX_ENTRIES]:
                idx = (j, k) if k is not None else (j,)
                if samples is not None:
                    pieces = [(Num(dz[s, j], s > 0), "*", Num(x[s, k], True)) if k is not None
                              else (Num(dz[s, j], s > 0),) for s in samples]
                    rhs = list(flattened(joined(pieces, " + ")))
                else:
                    rhs = [f"Σ over {B} samples"]
                if l2:
                    rhs += [" + 2*", Num(l2), "*", Num(W[idx], True)]
                if l1:
                    rhs += [" + ", Num(l1), "*sign(", Num(W[idx]), ")"]
                if coef != 1.0:
                    rhs = ["("] + rhs + [")*", Num(coef)]
                lhs = (sym("dL/dW" if name == "weight" else "dL/db", n, idx),)
                group.append(Line(lhs, tuple(rhs), float(grad[idx])))
            if len(ks) > MAX_ENTRIES:
                group.append(Line((Phrase(QT_TRANSLATE_NOOP("", "… {count} more entries of this row in the table"),
                                          count=len(ks) - MAX_ENTRIES),)))
            return group

        groups = walk.groups(op, grad.shape[0], unit_lines)  # the sums do not depend on the sample
        if sample is not None and B > 1:
            what = f"dL/dz{n} · a{n - 1}ᵀ" if name == "weight" else f"dL/dz{n}"
            vector = format_vector(np.outer(dz[sample], x[sample]) if name == "weight" else dz[sample])
            notes.append(Phrase(QT_TRANSLATE_NOOP("", "Sample {sample} contributes {what} = {vector} to this sum."),
                                sample=sample + 1, what=what, vector=vector))
    else:
        formula = (Line((Sym(f"dL/d{psym}{n}", rf"\frac{{\partial L}}{{\partial {psym}^{{({n})}}}}"),),
                        (layer.GRAD_RULES.get(name, "backpropagated through the layer"),)),)
        groups = [[] for _ in range(rows_of(grad))]
    if l1 or l2:
        if l1 and l2:
            template = QT_TRANSLATE_NOOP("", "The regularisation penalty adds its own gradient: 2·l2·W (l2 = {l2}) "
                                             "and l1·sign(W) (l1 = {l1}).")
        elif l2:
            template = QT_TRANSLATE_NOOP("", "The regularisation penalty adds its own gradient: 2·l2·W (l2 = {l2}).")
        else:
            template = QT_TRANSLATE_NOOP("", "The regularisation penalty adds its own gradient: l1·sign(W) "
                                             "(l1 = {l1}).")
        notes.append(Phrase(template, l1=format_value(l1, 6), l2=format_value(l2, 6)))
    if coef != 1.0:
        notes.append(Phrase(QT_TRANSLATE_NOOP("", "The whole gradient's norm {norm} exceeded clip_grad_norm {limit}, "
                                                  "so every gradient is scaled by {scale}."),
                            norm=format_value(tr.grad_norm), limit=format_value(net.clip_grad_norm),
                            scale=format_value(coef, 6)))
    g2 = grad.reshape(grad.shape[0], -1) if grad.ndim > 1 else grad.reshape(-1, 1)
    if op.unit is not None:
        answer, label = g2[op.unit], f"dL/d{psym}{n}[{op.unit + 1}]"
        result = Line((Sym(label, label),), (), g2[op.unit].copy() if g2.shape[1] > 1 else float(g2[op.unit, 0]))
    else:
        label = f"dL/d{psym}{n}"
        result = Line((sym(f"dL/d{psym}", n) if psym in "Wb" else Sym(label, label),), (),
                      grad.copy() if grad.size > 1 else float(grad.ravel()[0]))
        answer = grad.ravel() if grad.size <= MAX_LINES else grad.ravel()[:1]
    table = walk.param_table(i, name, {GRADIENT: grad}, op.unit, given=())
    reads = walk.refs_nodes(i + 1, unit=op.unit) + walk.refs_nodes(i)
    writes = (walk.refs_edges(i, op.unit) if name in ("weight", "gate_weight")
              else walk.refs_nodes(i + 1, unit=op.unit))
    return dict(formula=formula, lines=walk.per_unit(op, groups), result=result, answer=np.asarray(answer),
                answer_label=label, table=table, notes=tuple(notes), terms={"grad": grad}, reads=reads,
                writes=writes)


def dx_calculation(walk, op, sample):
    """dL/dx, the gradient passed down to the layer below."""
    tr = walk.trace
    i = op.layer
    rec, n = tr.layers[i], i + 1
    below = tr.layers[i - 1]
    da = below.da
    groups = []
    layer = walk.net.layers[i]
    if layer.AFFINE:
        W = rec.params_before["weight"]
        formula = (Line((sym("dL/da", n - 1),), (sym("W", n), "ᵀ · ", sym("dL/dz", n))),)
        groups = walk.groups(op, W.shape[1], lambda k: [Line(
            (sym("dL/da", n - 1, k),), dot(W[:, k], rec.dz[sample]), float(da[sample, k]))], sample)
    else:
        formula = (Line((sym("dL/da", n - 1),), (layer.DX_RULE,)),)
        groups = [[] for _ in range(da.shape[1])]
    result, answer, label = walk.vector_result(op, "dL/da", n - 1, da, sample, total=True)
    if layer.AFFINE and sample is not None:
        # the matrix view: W's rows and dL/dz beside them, the result underneath
        units, fan_in = W.shape
        values = np.full((units + 1, fan_in + 1), np.nan)
        values[:units, :fan_in] = W
        values[:units, fan_in] = rec.dz[sample]
        values[units, :fan_in] = da[sample]
        edits = LazyEdits(values.shape, lambda j, k: Edit("param", f"layers[{i}].weight", (j, k))
                          if j < units and k < fan_in else None)
        table = Table(tuple(unit_label(j) for j in range(units)) + (f"dL/da{n - 1}",),
                      tuple(f"w[·,{k + 1}]" for k in range(fan_in)) + (f"dL/dz{n}",), values, edits,
                      None, op.unit, answer_of=lambda r, c: c if r == units and c < fan_in else None)
    else:
        table = walk.unit_table(op, da, f"dL/da{n - 1}", sample, total=True)
    notes = [QT_TRANSLATE_NOOP("", "This is the gradient the layer below receives as its dL/da.")]
    reads = walk.refs_nodes(i + 1) + walk.refs_edges(i, None, op.unit)
    return dict(formula=formula, lines=walk.per_unit(op, groups), result=result, answer=answer,
                answer_label=label, table=table, notes=tuple(notes), terms={"da_below": da},
                reads=reads, writes=walk.refs_nodes(i, unit=op.unit))
