"""Recordings sized for a slide and streamed frame by frame (nnviz.gui.animation)."""

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.gui.animation import DEFAULT_MAX_WIDTH, GifStream, Recorder, image_to_array, stamp


class Stripes(QtWidgets.QWidget):
    """A plain widget: vertical stripes whose phase is the frame number, and tick-label-like text
    along its bottom edge."""

    def __init__(self, width=900, height=500):
        super().__init__()
        self.phase = 0
        self.resize(width, height)

    def paintEvent(self, event):  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("white"))
        for x in range(self.phase * 10 % 40, self.width(), 40):
            painter.fillRect(QtCore.QRect(x, 0, 20, self.height() - 30), QtGui.QColor("#0877bd"))
        painter.setPen(QtGui.QColor("black"))
        painter.drawText(QtCore.QRect(0, self.height() - 30, self.width(), 30), QtCore.Qt.AlignmentFlag.AlignLeft,
                         "0   10   20   30")
        painter.end()


@pytest.fixture
def two_wide(qtbot):
    widgets = [Stripes(), Stripes()]
    for w in widgets:
        qtbot.addWidget(w)
    return widgets


def test_a_default_recording_of_two_wide_panels_fits_a_slide(qtbot, tmp_path, two_wide):
    recorder = Recorder(two_wide, tmp_path / "run.gif", fps=5, scale=2)  # 3600 pixels asked for
    recorder.add_frame()
    recorder.add_frame()
    out = recorder.finish()
    with Image.open(out) as gif:
        assert gif.n_frames == 2
        assert DEFAULT_MAX_WIDTH - 4 <= gif.size[0] <= DEFAULT_MAX_WIDTH
        # the height follows the width: two 900 x 500 panels side by side, plus the counter's strip
        assert 500 * gif.size[0] / 1800 < gif.size[1] < 500 * gif.size[0] / 1800 + 40


def test_without_a_width_limit_the_scale_is_taken_as_given(qtbot, tmp_path, two_wide):
    recorder = Recorder(two_wide[:1], tmp_path / "run.gif", scale=2, max_width=None)
    recorder.add_frame()
    recorder.finish()
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.size[0] == 1800


def test_frames_go_to_the_file_as_they_are_recorded(qtbot, tmp_path, two_wide):
    recorder = Recorder(two_wide, tmp_path / "run.gif", fps=5)
    sizes = []
    for k in range(4):
        for w in two_wide:
            w.phase = k
        recorder.add_frame(f"step {k}")
        sizes.append(recorder._staged.temp.stat().st_size)
    recorder.finish()
    # each frame is in the file before the next is drawn: nothing waits in memory for the end
    assert sizes[0] > 1000 and all(b > a + 100 for a, b in zip(sizes, sizes[1:], strict=False))


def test_a_streamed_gif_reads_back_frame_by_frame(tmp_path):
    rng = np.random.default_rng(0)
    frames = []
    base = np.full((60, 80, 3), 255, np.uint8)
    for k in range(3):
        frame = base.copy()
        frame[10 + 10 * k: 20 + 10 * k, 5:40] = (8, 119, 189)  # a block moving down
        frame[50:, :] = rng.integers(0, 255, 3, dtype=np.uint8)
        frames.append(frame)
    frames.append(frames[-1].copy())  # an unchanged frame still counts
    writer = GifStream(tmp_path / "a.gif", fps=4)
    for frame in frames:
        writer.append_data(frame)
    writer.close()
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (80, 60) and gif.info.get("loop") == 0
        for k, expected in enumerate(frames):
            gif.seek(k)
            assert gif.info["duration"] == 250
            got = np.asarray(gif.convert("RGB"), dtype=int)
            assert np.abs(got - expected).max() <= 8, k  # few colours: the palette holds them


def test_the_frame_counter_is_below_the_figure_not_over_it(qtbot):
    image = QtGui.QImage(400, 200, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#0877bd"))
    out = stamp(image, "frame 12 · step 3,000")
    assert out.width() == 400 and out.height() > 200 and out.height() % 2 == 0
    figure, strip = image_to_array(out)[:200], image_to_array(out)[200:]
    assert np.array_equal(figure, image_to_array(image))  # every pixel of the figure kept
    assert (strip.min(axis=2) < 120).sum() > 30  # the counter's text, dark on the white strip


def test_bad_frame_widths_are_refused(qtbot, tmp_path, two_wide):
    from nnviz.gui.export import ExportError

    with pytest.raises(ExportError, match="at least 16 pixels"):
        Recorder(two_wide, tmp_path / "run.gif", max_width=3)
    assert list(tmp_path.iterdir()) == []
