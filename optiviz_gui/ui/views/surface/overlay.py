"""The 3-D view's text over the picture: axis labels on the floor edges that face the
camera, the legend and counter — drawn with a raster QPainter, not through OpenGL
(text drawn there costs llvmpipe far more), each from its own cached image on screen:
an edit or a step changes the legend only, a rotation the labels only."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui

from ..legend import header_html
from ..scene import REFERENCE
from .labels import Placed, axis_labels, layout


class OverlayMixin:
    """For SurfaceView: needs ``sim``, ``_theme``, ``show_legend``, ``opts``,
    ``projectionMatrix``, ``viewMatrix``, ``_camera`` and the caches ``_labels`` and
    ``_header`` ((key, image) pairs)."""

    def paint_overlay(self, painter: QtGui.QPainter) -> None:
        """Axis labels and the legend over the picture, each from its own cached image:
        an edit or a step changes the legend only, a rotation the labels only."""
        w, h = self.width(), self.height()
        painter.drawImage(0, 0, self._labels_image(w, h))
        if self.show_legend:
            painter.drawImage(0, 0, self._header_image(w))

    def _labels_image(self, w: int, h: int) -> QtGui.QImage:
        """The axis labels as a transparent w × h image, cached (layout costs more
        than drawing the image, ~0.05 ms, mostly transparent)."""
        key = (w, h, self._camera(), self._theme.name, id(self.sim.surface), self.font().key())
        if key != self._labels[0]:
            img = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(QtCore.Qt.GlobalColor.transparent)
            p = QtGui.QPainter(img)
            self._paint_labels(p, w, h, 1.0)
            p.end()
            self._labels = (key, img)
        return self._labels[1]

    def _header_image(self, w: int) -> QtGui.QImage:
        """The legend and counter as a transparent image w wide and as tall as the
        text, cached by its HTML."""
        header = self._header_html(w, 1.0)
        key = (w, header, self.font().key())
        if key != self._header[0]:
            doc = self._header_doc(header, w, 1.0)
            img = QtGui.QImage(w, int(math.ceil(doc.size().height())) + 4,
                               QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(QtCore.Qt.GlobalColor.transparent)
            p = QtGui.QPainter(img)
            p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
            p.translate(6, 4)
            doc.drawContents(p)
            p.end()
            self._header = (key, img)
        return self._header[1]

    def _paint_overlay(self, p: QtGui.QPainter, w: int, h: int, magnify: bool = False) -> None:
        """Axis labels on the two floor edges facing the camera, the legend and counter.
        With ``magnify`` (exports), big images get the text magnified as the 2-D
        views' exports do (view_render.REFERENCE)."""
        s = max(1.0, min(w / REFERENCE[0], h / REFERENCE[1])) if magnify else 1.0
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        self._paint_labels(p, w, h, s)
        p.save()
        p.scale(s, s)
        p.translate(6, 4)
        self._header_doc(self._header_html(w, s), w, s).drawContents(p)
        p.restore()

    def _paint_labels(self, p: QtGui.QPainter, w: int, h: int, s: float) -> None:
        """The axis ends and names on the two floor edges facing the camera, text
        magnified s times."""
        p.save()
        p.scale(s, s)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        p.setPen(QtGui.QColor(self._theme.foreground))
        p.setFont(self.font())
        for label in self.label_layout(w, h, s):
            p.drawText(label.origin, label.text)
        p.restore()

    def label_layout(self, w: int, h: int, s: float = 1.0) -> list[Placed]:
        """Where the axis labels go in a w × h picture with text magnified s times, in
        the magnified painter's coordinates, in the view's font (none overlap)."""
        surface = self.sim.surface
        labels = axis_labels(surface.bounds, surface.axis_labels, self.opts["azimuth"])
        m = self.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * self.viewMatrix()

        def project(x, y, z):
            v = m.map(QtGui.QVector4D(x, y, z, 1.0))
            if v.w() <= 0:
                return None
            return (v.x() / v.w() + 1) / 2 * w / s, (1 - v.y() / v.w()) / 2 * h / s
        return layout(labels, project, QtGui.QFontMetricsF(self.font()))

    def _header_html(self, w: int, s: float) -> str:
        """The legend for a view w pixels wide with text magnified s times: as many
        entries a row as fit, so a narrow view never breaks a word."""
        return header_html(self.sim, self._theme, (False, False, False), w / s - 12, self.font())

    def _header_doc(self, header: str, w: int, s: float) -> QtGui.QTextDocument:
        doc = QtGui.QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setHtml(header)
        doc.setTextWidth(w / s - 12)
        return doc
