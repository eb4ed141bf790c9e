"""Saying when figures come from a sample: an evaluation point reads at most a bounded number of
training and of test rows (a fixed sample of a larger set), and the panels that show its losses,
accuracies or predictions say so in a few words."""

from __future__ import annotations

from nnviz.gui.i18n import tr


def sample_note(snapshot, which: str) -> str:
    """"a sample of 10,000 of 35,000 rows" (translated) when the ``which`` set's figures ("train" or "test") in
    ``snapshot`` are counted on a sample of its rows, else "" (all rows, or no such set)."""
    rows = snapshot.raw_train if which == "train" else snapshot.raw_test
    if rows is None:
        return ""
    total = len(rows[0])
    evaluated = snapshot.evaluated_rows[0 if which == "train" else 1]
    if not 0 < evaluated < total:
        return ""
    return tr("a sample of {evaluated} of {total} rows").format(evaluated=f"{evaluated:,}", total=f"{total:,}")
