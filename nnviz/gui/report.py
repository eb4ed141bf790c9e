"""The run report: the model, its data and settings, the final metrics and a figure of every panel,
as one HTML file (images embedded) or a PDF."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui

from nnviz import __version__
from nnviz.core.numbers import NOT_APPLICABLE, format_significant
from nnviz.gui.export import atomic_write, catch_up, check_output_path, figure_widget, render_image
from nnviz.gui.formats import REPORT_FORMATS

_STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #333; margin: 24px; max-width: 1100px; }
h1 { font-size: 22pt; margin-bottom: 2px; } h2 { font-size: 15pt; margin-top: 22px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #f0f0f0; text-align: left; } td.num { text-align: right; }
p.meta { color: #777; margin-top: 0; } figure { margin: 10px 0 18px 0; } figcaption { color: #555; }
"""


def _png_bytes(image: QtGui.QImage) -> bytes:
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _fmt(value) -> str:
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, float):
        return format_significant(value, 6, missing=None)
    return html.escape(str(value))


def _rows(pairs) -> str:
    return "".join(f"<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in pairs)


def _named(spec) -> str:
    if spec is None:
        return "—"
    if isinstance(spec, str):
        return spec
    options = ", ".join(f"{k}={v}" for k, v in spec.items() if k != "name")
    return f"{spec.get('name', '')}({options})" if options else str(spec.get("name", ""))


def layer_rows(document: dict, snapshot) -> list[tuple]:
    """(layer number, type, units, activation, parameters) per layer."""
    rows = []
    for i, layer in enumerate(document["layers"]):
        count = sum(int(np.asarray(v).size) for k, v in snapshot.params.items() if k.startswith(f"layers[{i}]."))
        units = layer.get("units", snapshot.layers[i].units if i < len(snapshot.layers) else "")
        rows.append((i + 1, layer["type"], units, _named(layer.get("activation", "identity")), count))
    return rows


def report_html(document: dict, snapshot, data_label: str, figures: dict[str, QtGui.QImage],
                image_sources: dict[str, str] | None = None) -> str:
    """The report as HTML, headed by the data trained on (the model's name may be that of data it no
    longer trains on). Figures are embedded as base64 PNG, or referenced by ``image_sources``
    (title -> resource name, for the PDF)."""
    name = snapshot.data_name or document.get("name") or "Untitled model"
    total = sum(int(np.asarray(v).size) for v in snapshot.params.values())
    parts = [f"<html><head><meta charset='utf-8'><title>{html.escape(name)} — nnviz run report</title>"
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(name)}</h1>",
             f"<p class='meta'>nnviz {__version__} run report · "
             f"{QtCore.QDateTime.currentDateTime().toString('yyyy-MM-dd HH:mm')}</p>"]
    if document.get("description"):
        parts.append(f"<p>{html.escape(document['description'])}</p>")
    parts.append("<h2>Model</h2><table><tr><th>layer</th><th>type</th><th>units</th><th>activation</th>"
                 "<th>parameters</th></tr>")
    parts.append(f"<tr><td class='num'>0</td><td>input</td><td class='num'>{document['inputs']}</td>"
                 f"<td>—</td><td class='num'>0</td></tr>")
    for number, kind, units, activation, count in layer_rows(document, snapshot):
        parts.append(f"<tr><td class='num'>{number}</td><td>{html.escape(kind)}</td><td class='num'>{units}</td>"
                     f"<td>{html.escape(activation)}</td><td class='num'>{count:,}</td></tr>")
    parts.append(f"<tr><th colspan='4'>total</th><td class='num'>{total:,}</td></tr></table>")
    train_rows = snapshot.raw_train[0].shape[0]
    test_rows = snapshot.raw_test[0].shape[0] if snapshot.raw_test is not None else 0
    data = document.get("data") or {}
    reg = document.get("regularization") or {}
    settings = [("data", data_label), ("inputs", ", ".join(snapshot.input_names)),
                ("training rows", train_rows), ("test rows", test_rows),
                ("batch size", data.get("batch_size", "whole training set") if data else "—"),
                ("loss", _named(document.get("loss", "mse"))),
                ("optimizer", _named(document.get("optimizer", "sgd"))),
                ("schedule", _named(document.get("schedule", "constant"))),
                ("L1 / L2", f"{reg.get('l1', 0)} / {reg.get('l2', 0)}"),
                ("gradient clipping", document.get("clip_grad_norm") or "off"),
                ("seed", document.get("seed", 0)), ("dtype", document.get("dtype", "float64"))]
    parts.append("<h2>Data and hyperparameters</h2><table>" + _rows(settings) + "</table>")
    metrics = [("optimizer steps", snapshot.step), ("epochs", round(snapshot.epoch, 3)),
               ("learning rate now", snapshot.lr), ("train loss", snapshot.train_loss),
               ("test loss", snapshot.test_loss)]
    # an accuracy only where there is one (never for regression, nor beside a non-finite loss)
    metrics += [(f"{part} accuracy", f"{100 * value:.1f}%") for part, value in
                (("train", snapshot.train_accuracy), ("test", snapshot.test_accuracy)) if value is not None]
    parts.append("<h2>Final metrics</h2><table>" + _rows(metrics) + "</table>")
    parts.append("<h2>Figures</h2>")
    for title, image in figures.items():
        if image_sources is not None:
            src = image_sources[title]
        else:
            src = "data:image/png;base64," + base64.b64encode(_png_bytes(image)).decode("ascii")
        width = min(image.width() / max(image.devicePixelRatio(), 1.0), 1000)
        parts.append(f"<figure><img src='{src}' width='{int(width)}' alt='{html.escape(title)}'>"
                     f"<figcaption>{html.escape(title)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def report_figures(panels) -> dict[str, QtGui.QImage]:
    """A 2x picture of each panel (shown, hidden or never shown) that has something to show, by its
    title (a loss landscape never computed has none)."""
    figures = {}
    for panel in panels:
        catch_up(panel)  # the title too shows the newest snapshot
        if not panel.has_figure():
            continue
        figures[panel.export_title()] = render_image(figure_widget(panel), scale=2.0)
    return figures


def write_report(path, document: dict, snapshot, data_label: str, figures: dict[str, QtGui.QImage]) -> Path:
    """Write the report to ``path`` (a suffix of :data:`~nnviz.gui.formats.REPORT_FORMATS`: .html
    or .pdf), atomically; returns the path."""
    out, fmt = check_output_path(path, REPORT_FORMATS)
    write = REPORT_FORMATS[fmt].load()
    atomic_write(out, lambda temp: write(temp, document, snapshot, data_label, figures))
    return out


def write_html(path: Path, document, snapshot, data_label, figures) -> None:
    """The report as one HTML file, its figures embedded."""
    path.write_text(report_html(document, snapshot, data_label, figures), encoding="utf-8")


def write_pdf(path: Path, document, snapshot, data_label, figures) -> None:
    """The report as a PDF of A4 pages."""
    text = QtGui.QTextDocument()
    sources = {}
    for k, (title, image) in enumerate(figures.items()):
        sources[title] = f"figure{k}.png"
        text.addResource(QtGui.QTextDocument.ResourceType.ImageResource.value, QtCore.QUrl(sources[title]), image)
    text.setHtml(report_html(document, snapshot, data_label, figures, image_sources=sources))
    writer = QtGui.QPdfWriter(str(path))
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setResolution(144)
    writer.setTitle(f"{snapshot.data_name or document.get('name') or 'nnviz'} — run report")
    writer.setCreator(f"nnviz {__version__}")
    text.setPageSize(QtCore.QSizeF(writer.width(), writer.height()))
    text.print_(writer)
