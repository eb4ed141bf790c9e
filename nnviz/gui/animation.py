"""Recording a panel while it trains: frames to a GIF (imageio + Pillow) or an MP4 (imageio-ffmpeg).

A :class:`Recorder` takes one frame each time :meth:`Recorder.add_frame` is called — the window
calls it for every snapshot it draws, the command line every few steps — renders the chosen widgets
side by side (the decision surface with the loss by default), writes a frame counter on it, and
streams the frames to a temporary file (:class:`~nnviz.core.writing.StagedFile`) that becomes the
output only when :meth:`Recorder.finish` succeeds: a cancelled or failed recording leaves nothing
behind, and a file it replaces keeps its permissions.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui

from nnviz.core.writing import StagedFile, commit
from nnviz.gui.export import ExportError, check_output_path, figure_widget, render_image
from nnviz.gui.formats import ANIMATION_FORMATS

DEFAULT_FPS = 10
MAX_FRAMES = 5000


def image_to_array(image: QtGui.QImage) -> np.ndarray:
    """An RGB ``uint8`` array of ``image`` (alpha composed on white)."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3).copy()


def open_gif(temp: Path, fps: float, path: Path):
    """An imageio writer of an endlessly looping GIF (Pillow)."""
    import imageio.v2 as imageio

    return imageio.get_writer(temp, mode="I", format="GIF", duration=1000.0 / fps, loop=0)


def open_mp4(temp: Path, fps: float, path: Path):
    """An imageio writer of an H.264 MP4 (needs imageio-ffmpeg)."""
    import imageio.v2 as imageio

    if importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ExportError(f"{path}: MP4 needs an encoder: python -m pip install "
                          "'nnviz-desktop[video]' (imageio-ffmpeg), or record a .gif")
    return imageio.get_writer(temp, format="FFMPEG", fps=fps, codec="libx264", quality=8, macro_block_size=2)


def side_by_side(images: list[QtGui.QImage]) -> QtGui.QImage:
    """The images next to each other, top-aligned, on white."""
    width = sum(i.width() for i in images)
    height = max(i.height() for i in images)
    out = QtGui.QImage(width, height, QtGui.QImage.Format.Format_RGB32)
    out.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(out)
    x = 0
    for image in images:
        painter.drawImage(x, 0, image)
        x += image.width()
    painter.end()
    return out


def stamp(image: QtGui.QImage, text: str) -> QtGui.QImage:
    """``text`` (the frame counter) in the bottom-left corner, on a light box."""
    out = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(out)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    font = QtGui.QFont()
    font.setPixelSize(max(12, out.height() // 32))
    painter.setFont(font)
    metrics = QtGui.QFontMetrics(font)
    box = metrics.boundingRect(text).adjusted(-6, -4, 6, 4)
    box.moveBottomLeft(QtCore.QPoint(8, out.height() - 8))
    painter.fillRect(box, QtGui.QColor(255, 255, 255, 220))
    painter.setPen(QtGui.QColor("#333333"))
    painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return out


class Recorder:
    """Records ``widgets`` (rendered side by side) to ``path`` (.gif, or .mp4 with imageio-ffmpeg).
    ``title`` (text, or a function giving it for each frame) heads the first widget."""

    def __init__(self, widgets, path, fps: float = DEFAULT_FPS, title: str | None = None, scale: float = 1.0):
        self.path, fmt = check_output_path(path, ANIMATION_FORMATS)
        if not 0 < fps <= 60:
            raise ExportError(f"{path}: the frame rate must be between 0 and 60 frames per second, got {fps:g}")
        self.widgets = list(widgets)
        self.fps, self.title, self.scale = float(fps), title, scale
        self.frames = 0
        self.size: tuple[int, int] | None = None
        try:
            import imageio.v2  # noqa: F401 - the writers below need it
        except ImportError:
            raise ExportError("recording needs imageio: python -m pip install imageio pillow") from None
        # a named file (imageio and ffmpeg open it by name; ffmpeg picks the container by its suffix)
        self._staged = StagedFile(self.path, named=True, suffix=f".{fmt}")
        try:
            self._writer = ANIMATION_FORMATS[fmt].load()(self._staged.temp, self.fps, self.path)
        except BaseException:
            self._staged.discard()
            raise

    def add_frame(self, label: str = "") -> None:
        """Render the widgets now and append the frame, with "frame n" and ``label`` on it."""
        if self.frames >= MAX_FRAMES:
            raise ExportError(f"{self.path}: at most {MAX_FRAMES} frames per recording")
        title = self.title() if callable(self.title) else self.title
        images = [render_image(figure_widget(w), scale=self.scale, title=title if k == 0 else None)
                  for k, w in enumerate(self.widgets)]
        for image in images:  # frames are pixels: draw them one to one, whatever the scale
            image.setDevicePixelRatio(1.0)
        image = side_by_side(images)
        if self.size is None:
            self.size = (image.width() - image.width() % 2, image.height() - image.height() % 2)
        if (image.width(), image.height()) != self.size:  # every frame the size of the first
            image = image.scaled(*self.size, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                                 QtCore.Qt.TransformationMode.SmoothTransformation)
        self.frames += 1
        text = f"frame {self.frames}" + (f" · {label}" if label else "")
        self._writer.append_data(image_to_array(stamp(image, text)))

    def finish(self) -> Path:
        """Close the file and move it into place; returns the output path."""
        try:
            self._writer.close()
            if self.frames == 0:
                raise ExportError(f"{self.path}: no frames were recorded")
            commit(self._staged)
        finally:
            self._staged.discard()
        return self.path

    def cancel(self) -> None:
        """Stop and leave nothing behind."""
        try:
            self._writer.close()
        finally:
            self._staged.discard()
