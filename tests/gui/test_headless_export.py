"""Figures, numbers, animations and the report from a run without a window (``nnviz export``'s engine)."""

import base64
import csv
import importlib.util
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtGui

from nnviz.core.experiment import DataConfig, Experiment
from nnviz.gui.animation import DEFAULT_MAX_WIDTH
from nnviz.gui.export import ExportError
from nnviz.gui.headless import FIGURE_SIZE, export_plot, make_panel
from nnviz.gui.panels.registry import REPORT_PLOT, plot_choices

FIGURES = [p for p in plot_choices() if p != REPORT_PLOT]


@pytest.fixture
def experiment():
    return Experiment(data=DataConfig(dataset="xor2d", n=120, test_fraction=0.25, batch_size=10))


def read_png(path):
    image = QtGui.QImage(str(path))
    assert not image.isNull()
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return image, data.reshape(image.height(), image.bytesPerLine())[:, : 4 * image.width()]


@pytest.mark.parametrize("plot", FIGURES)
def test_png_of_every_panel_has_the_requested_width_and_is_not_blank(qtbot, tmp_path, experiment, plot):
    out = export_plot(experiment, plot, tmp_path / f"{plot}.png", steps=30, width=1000)
    image, pixels = read_png(out)
    assert image.width() == 1000
    assert pixels.std() > 10 and len(np.unique(pixels.reshape(-1, 4)[:, :3], axis=0)) > 8


@pytest.mark.parametrize("plot", FIGURES)
def test_svg_and_pdf_of_every_panel(qtbot, tmp_path, experiment, plot):
    svg = export_plot(experiment, plot, tmp_path / f"{plot}.svg", steps=10)
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{ns}text"))
    assert "Exclusive or" in texts and "Circle" not in texts  # the title names the data, as text
    assert len(list(root.iter(f"{ns}path"))) + len(list(root.iter(f"{ns}polyline"))) > 0
    pdf = export_plot(experiment, plot, tmp_path / f"{plot}.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) == 1


def test_loss_csv_round_trips_the_cores_history(qtbot, tmp_path, experiment):
    out = export_plot(experiment, "loss", tmp_path / "loss.csv", steps=40)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["series", "step", "value"]
    history = experiment.snapshot().history
    batch = [(int(s), float(v)) for name, s, v in rows[1:] if name == "batch_loss"]
    assert [s for s, _ in batch] == history["step"].astype(int).tolist()
    assert np.array_equal([v for _, v in batch], history["loss"])
    test = [float(v) for name, s, v in rows[1:] if name == "test_loss"]
    assert np.array_equal(test, history["test_loss"])


def test_the_loss_svg_draws_the_loss_curve(qtbot, tmp_path, experiment):
    out = export_plot(experiment, "loss", tmp_path / "loss.svg", steps=60)
    text = out.read_text()
    # the batch loss is one path with a point per step (pyqtgraph's SVGExporter, broken on PySide6
    # 6.11, is not involved: Qt's QSvgGenerator writes it)
    longest = max((len(re.findall(r"[-\d.]+,[-\d.]+", d)) for d in re.findall(r'd="([^"]+)"', text)), default=0)
    points = max((len(p.split()) for p in re.findall(r'points="([^"]+)"', text)), default=0)
    assert max(longest, points) >= 60


def test_gif_has_the_requested_frames(qtbot, tmp_path, experiment):
    import imageio.v2 as imageio

    out = export_plot(experiment, "output", tmp_path / "run.gif", steps=40, frames=6, fps=5, scale=1)
    frames = imageio.mimread(out)
    assert len(frames) == 6
    first, last = frames[0], frames[-1]
    assert first.shape == last.shape and first.shape[1] > FIGURE_SIZE[0]  # the surface and the loss, side by side
    assert not np.array_equal(first, last)  # it trained in between


def test_mp4_or_a_clear_message(qtbot, tmp_path, experiment):
    out = tmp_path / "run.mp4"
    if importlib.util.find_spec("imageio_ffmpeg") is not None:
        written = export_plot(experiment, "loss", out, steps=20, frames=4, scale=1)
        assert written.stat().st_size > 1000 and written.read_bytes()[4:8] == b"ftyp"
    else:
        with pytest.raises(ExportError, match=r"pip install 'nnviz-desktop\[video\]'"):
            export_plot(experiment, "loss", out, steps=20, frames=4)
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_report_html_and_pdf(qtbot, tmp_path, experiment):
    html = export_plot(experiment, "report", tmp_path / "report.html", steps=50)
    text = html.read_text()
    snap = experiment.snapshot()
    assert "<h1>Exclusive or</h1>" in text  # the report names the data, not the model's old name
    total = sum(v.size for v in snap.params.values())
    assert f"{total:,}" in text and "tanh" in text and "xor2d" in text
    assert f"{snap.train_loss:.6g}" in text and f"{snap.test_loss:.6g}" in text
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    assert len(images) == len(FIGURES)
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    pdf = export_plot(experiment, "report", tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_the_landscape_figure_computes_around_the_weights_with_the_path_of_the_run(qtbot, tmp_path, experiment):
    out = export_plot(experiment, "landscape", tmp_path / "landscape.csv", steps=200)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    snap = experiment.snapshot()
    grid = [r for r in rows if r["part"] == "landscape"]
    assert len(grid) == 41 * 41 and {r["step"] for r in grid} == {"200"}
    centre = next(r for r in grid if float(r["a"]) == 0 and float(r["b"]) == 0)
    assert float(centre["loss"]) == pytest.approx(snap.train_loss, rel=1e-12)
    path = [r for r in rows if r["part"].startswith("path")]
    steps = [int(r["step"]) for r in path]
    assert steps[0] == 0 and steps[-1] == 200 and steps == sorted(steps) and len(steps) > 50  # evaluation points
    assert (float(path[-1]["a"]), float(path[-1]["b"])) == pytest.approx((0, 0), abs=1e-9)  # it ends at the weights
    line = {float(r["t"]): float(r["loss"]) for r in rows if r["part"] == "line"}
    assert line[1.0] == pytest.approx(snap.train_loss, rel=1e-12)
    with pytest.raises(ExportError, match="not recorded as an animation"):
        export_plot(experiment, "landscape", tmp_path / "landscape.gif", steps=10)
    assert not (tmp_path / "landscape.gif").exists()


def test_bad_paths_fail_before_training_and_write_nothing(qtbot, tmp_path, experiment):
    with pytest.raises(ExportError, match="does not exist"):
        export_plot(experiment, "loss", tmp_path / "missing" / "loss.png", steps=30)
    with pytest.raises(ExportError, match="unknown format"):
        export_plot(experiment, "loss", tmp_path / "loss.bmp", steps=30)
    with pytest.raises(ExportError):
        export_plot(experiment, "report", tmp_path / "report.png", steps=30)
    with pytest.raises(ExportError, match="--steps"):
        export_plot(experiment, "output", tmp_path / "run.gif", steps=0)
    assert experiment.step == 0 and list(tmp_path.iterdir()) == []


def test_panels_have_titles(qtbot):
    for plot in FIGURES:
        panel = make_panel(plot)
        qtbot.addWidget(panel)
        assert panel.export_title()


def test_gif_at_2x_fills_its_frames(qtbot, tmp_path, experiment):
    import imageio.v2 as imageio

    small = imageio.mimread(export_plot(experiment, "loss", tmp_path / "a.gif", steps=4, frames=2, scale=1))
    big = imageio.mimread(export_plot(experiment, "loss", tmp_path / "b.gif", steps=4, frames=2, scale=2))
    assert big[0].shape[1] == min(2 * small[0].shape[1], DEFAULT_MAX_WIDTH)  # a slide's width at most
    right = big[-1][:, big[-1].shape[1] // 2:]  # the right half holds half the plot, not white
    assert right.std() > 10
