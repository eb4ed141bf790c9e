"""Recording a panel while it trains: frames to a GIF (imageio + Pillow) or an MP4 (imageio-ffmpeg).

A :class:`Recorder` takes one frame each time :meth:`Recorder.add_frame` is called — the window
calls it for every snapshot it draws, the command line every few steps — renders the chosen widgets
side by side (the decision surface with the loss by default), writes a frame counter on it, and
streams the frames to a temporary file (:class:`~nnviz.core.writing.StagedFile`) that becomes the
output only when :meth:`Recorder.finish` succeeds: a cancelled or failed recording leaves nothing
behind, and a file it replaces keeps its permissions.

Sized for a slide: by default a frame is at most :data:`DEFAULT_MAX_WIDTH` pixels wide, and a GIF is
written frame by frame (:class:`GifStream`) — only the previous frame is kept, to write just the
rectangle that changed — so a long recording needs the memory of one frame, not of all of them.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui

from nnviz.core.writing import StagedFile, commit
from nnviz.gui.export import ExportError, check_output_path, figure_widget, figure_width, render_image
from nnviz.gui.formats import ANIMATION_FORMATS
from nnviz.gui.i18n import tr

DEFAULT_FPS = 10
MAX_FRAMES = 5000
DEFAULT_MAX_WIDTH = 1280  # pixels: a frame as wide as a slide, whatever the size of the window


def image_to_array(image: QtGui.QImage) -> np.ndarray:
    """An RGB ``uint8`` array of ``image`` (alpha composed on white)."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, : 3 * width].reshape(height, width, 3).copy()


class GifStream:
    """An endlessly looping GIF written to ``path`` one frame at a time (an imageio-style writer:
    ``append_data``, ``close``).

    Each frame is reduced to 256 colours of its own (a local colour table) and only the rectangle
    that differs from the previous frame is written, over it (GIF disposal "do not dispose"). Pillow
    encodes each rectangle; nothing but the previous frame is kept in memory.
    """

    def __init__(self, path: Path, fps: float):
        from PIL import Image  # noqa: F401 - fail here, not at the first frame

        self._delay_ms = max(10, round(1000.0 / fps / 10) * 10)  # GIF counts hundredths of a second
        self._file = open(path, "wb")  # noqa: SIM115 - kept open across append_data calls
        self._previous: np.ndarray | None = None

    def _header(self, width: int, height: int) -> bytes:
        loop = b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00"  # repeat forever
        return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + loop  # no global colours

    def append_data(self, frame: np.ndarray) -> None:
        """Append an RGB ``uint8`` frame (height, width, 3); every frame the size of the first."""
        from PIL import GifImagePlugin, Image

        frame = np.ascontiguousarray(frame[:, :, :3], dtype=np.uint8)
        height, width = frame.shape[:2]
        if self._previous is None:
            self._file.write(self._header(width, height))
            left, top, right, bottom = 0, 0, width, height
        else:
            if self._previous.shape != frame.shape:
                raise ExportError(tr("every frame of a GIF must have the size of the first"))
            changed = np.any(frame != self._previous, axis=2)
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:  # nothing changed: one pixel, so the frame still takes its time
                left, top, right, bottom = 0, 0, 1, 1
            else:
                left, top, right, bottom = cols[0], rows[0], cols[-1] + 1, rows[-1] + 1
        part = Image.fromarray(frame[top:bottom, left:right], "RGB")
        indexed = part.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        for chunk in GifImagePlugin.getdata(indexed, (int(left), int(top)), duration=self._delay_ms,
                                            disposal=1, include_color_table=True):
            self._file.write(chunk)
        self._previous = frame

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            if self._previous is not None:
                self._file.write(b";")  # the trailer
        finally:
            self._file.close()


def open_gif(temp: Path, fps: float, path: Path):
    """A writer of an endlessly looping GIF, streamed frame by frame (Pillow)."""
    if importlib.util.find_spec("PIL") is None:
        raise ExportError(tr("{path}: a GIF needs Pillow: {command}").format(path=path,
                                                                             command="python -m pip install pillow"))
    return GifStream(temp, fps)


def open_mp4(temp: Path, fps: float, path: Path):
    """An imageio writer of an H.264 MP4 (needs imageio-ffmpeg)."""
    if importlib.util.find_spec("imageio") is None:
        raise ExportError(tr("{path}: an MP4 needs imageio: {command}")
                          .format(path=path, command="python -m pip install imageio imageio-ffmpeg"))
    import imageio.v2 as imageio

    if importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ExportError(tr("{path}: MP4 needs an encoder: {command} (imageio-ffmpeg), or record a .gif")
                          .format(path=path, command="python -m pip install 'nnviz-desktop[video]'"))
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


def _counter_font(height: int) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPixelSize(max(12, min(20, height // 32)))
    return font


def stamp(image: QtGui.QImage, text: str) -> QtGui.QImage:
    """The image with ``text`` (the frame counter) on a white strip added below it: the counter
    never covers the figure (its tick labels, its data)."""
    font = _counter_font(image.height())
    band = QtGui.QFontMetrics(font).height() + 8
    band += (image.height() + band) % 2  # an even height, for video encoders
    out = QtGui.QImage(image.width(), image.height() + band, QtGui.QImage.Format.Format_RGB32)
    out.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(out)
    painter.drawImage(0, 0, image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
    painter.setFont(font)
    painter.setPen(QtGui.QColor("#333333"))
    painter.drawText(QtCore.QRect(8, image.height(), image.width() - 16, band),
                     QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, text)
    painter.end()
    return out


class Recorder:
    """Records ``widgets`` (rendered side by side) to ``path`` (.gif, or .mp4 with imageio-ffmpeg).
    ``title`` (text, or a function giving it for each frame) heads the first widget. The frames are
    ``scale`` times the widgets' size on screen, made smaller if need be to be at most ``max_width``
    pixels wide (None: no limit; a wide window or a large scale otherwise gives a GIF of tens of
    megabytes). The size of the first frame holds for the whole recording."""

    def __init__(self, widgets, path, fps: float = DEFAULT_FPS, title: str | None = None, scale: float = 1.0,
                 max_width: int | None = DEFAULT_MAX_WIDTH):
        self.path, fmt = check_output_path(path, ANIMATION_FORMATS)
        if not 0 < fps <= 60:
            raise ExportError(tr("{path}: the frame rate must be between 0 and 60 frames per second, got {fps}")
                              .format(path=path, fps=f"{fps:g}"))
        if max_width is not None and max_width < 16:
            raise ExportError(tr("{path}: the frame width must be at least 16 pixels, got {width}")
                              .format(path=path, width=max_width))
        self.widgets = list(widgets)
        self.fps, self.title, self.scale, self.max_width = float(fps), title, scale, max_width
        self.frames = 0
        self.size: tuple[int, int] | None = None
        self._frame_scale: float | None = None
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
            raise ExportError(tr("{path}: at most {frames} frames per recording").format(path=self.path,
                                                                                         frames=MAX_FRAMES))
        title = self.title() if callable(self.title) else self.title
        figures = [figure_widget(w) for w in self.widgets]
        if self._frame_scale is None:
            self._frame_scale = self.frame_scale(figures, title)
        images = [render_image(f, scale=self._frame_scale, title=title if k == 0 else None)
                  for k, f in enumerate(figures)]
        for image in images:  # frames are pixels: draw them one to one, whatever the scale
            image.setDevicePixelRatio(1.0)
        image = side_by_side(images)
        if self.size is None:
            self.size = (image.width() - image.width() % 2, image.height() - image.height() % 2)
        if (image.width(), image.height()) != self.size:  # every frame the size of the first
            image = image.scaled(*self.size, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                                 QtCore.Qt.TransformationMode.SmoothTransformation)
        self.frames += 1
        text = tr("frame {frame}").format(frame=self.frames) + (f" · {label}" if label else "")
        self._writer.append_data(image_to_array(stamp(image, text)))

    def frame_scale(self, figures, title) -> float:
        """The scale of the frames: ``scale``, or less if the figures side by side would be wider
        than ``max_width``."""
        if self.max_width is None:
            return self.scale
        logical = sum(figure_width(f, title if k == 0 else None) for k, f in enumerate(figures))
        if logical <= 0:
            return self.scale
        # each figure's width is rounded to whole pixels: half a pixel of room for each
        return min(self.scale, (self.max_width - len(figures) / 2) / logical)

    def finish(self) -> Path:
        """Close the file and move it into place; returns the output path."""
        try:
            self._writer.close()
            if self.frames == 0:
                raise ExportError(tr("{path}: no frames were recorded").format(path=self.path))
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
