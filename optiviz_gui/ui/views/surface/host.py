"""A pyqtgraph GL view that is a plain raster QWidget: OpenGL draws into its own
framebuffer, and the widget paints the pixels read back from it.

Why not QOpenGLWidget (GLViewWidget)? One QOpenGLWidget anywhere in a window
switches the WHOLE window to OpenGL composition: every repaint of any widget
(a label, the 2-D plots) then uploads the window as a texture and draws and
swaps the whole window through OpenGL. With Mesa's software renderer
(llvmpipe) that costs 20-40 ms a repaint of a 1600 × 1200 window. Here the
window keeps Qt's raster backing store; the 3-D view costs its own OpenGL
drawing plus one glReadPixels of its size (≈ 0.2 ms at 800 × 600 with
llvmpipe, whose framebuffers are in main memory anyway).

Also, being an ordinary widget: keyboard focus and window shortcuts behave as
for any widget, ``grab()`` captures the 3-D picture, and it needs no native
child window.

``OffscreenGLView`` gives GLViewMixin what QOpenGLWidget gave it:
``makeCurrent()``/``doneCurrent()`` (binding the view's framebuffer, as
QOpenGLWidget does), ``context()``, ``isValid()``, ``defaultFramebufferObject()``,
``grabFramebuffer()``; and calls the subclass's ``initializeGL()`` once and
``paintGL()`` per paint, then ``paint_overlay(painter)`` with a raster QPainter
over the picture (text drawn there is cheap, unlike text drawn through OpenGL).
The context joins Qt's global share group when AA_ShareOpenGLContexts is on
(gl.share_gl_contexts), like every QOpenGLWidget.
"""

from __future__ import annotations

import sys

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtOpenGL import QOpenGLFramebufferObject

_RGB32_TYPE = GL.GL_UNSIGNED_BYTE if sys.byteorder == "little" else GL.GL_UNSIGNED_INT_8_8_8_8_REV


class OffscreenGLView(GLViewMixin, QtWidgets.QWidget):
    """GLViewMixin on a raster QWidget; see the module docstring."""

    #: the framebuffer's depth attachment (a subclass may blit depth into it: match it)
    fbo_attachment = QOpenGLFramebufferObject.Attachment.CombinedDepthStencil

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        self._ctx: QtGui.QOpenGLContext | None = None
        self._surface: QtGui.QOffscreenSurface | None = None
        self._fbo: QOpenGLFramebufferObject | None = None
        self._pixels = np.zeros((0, 0, 4), np.uint8)
        self._frame: tuple | None = None
        self._gl_failed = False         # a context could not be made: do not try every paint
        self.frames = 0                 # pictures drawn by OpenGL and read back (for tests)
        super().__init__(parent)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        # every pixel is painted by paintEvent: Qt need not clear the background first
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # ------------------------------------------------ what QOpenGLWidget offered
    def isValid(self) -> bool:  # noqa: N802 (Qt name)
        return self._ctx is not None

    def context(self) -> QtGui.QOpenGLContext | None:
        return self._ctx

    def makeCurrent(self) -> bool:  # noqa: N802 (Qt name)
        """Make the view's context current (creating it the first time) and bind the
        view's framebuffer, if it has one yet. False if no context can be made."""
        if not self._ensure_context():
            return False
        self._ctx.makeCurrent(self._surface)
        if self._fbo is not None:
            self._fbo.bind()
        return True

    def doneCurrent(self) -> None:  # noqa: N802 (Qt name)
        if self._ctx is not None:
            self._ctx.doneCurrent()

    def defaultFramebufferObject(self) -> int:  # noqa: N802 (Qt name)
        return self._fbo.handle() if self._fbo is not None else 0

    def devicePixelRatioF(self) -> float:  # noqa: N802 (Qt name)
        return float(self.devicePixelRatio())

    def getViewport(self):  # noqa: N802 (pyqtgraph name)
        """The framebuffer in device pixels (pyqtgraph's projection uses its aspect only)."""
        return (0, 0, self.deviceWidth(), self.deviceHeight())

    def grabFramebuffer(self) -> QtGui.QImage:  # noqa: N802 (Qt name)
        """The OpenGL picture (without the overlay) as a QImage of its own."""
        img = self._render_frame()
        return img.copy() if img is not None else QtGui.QImage()

    def initializeGL(self) -> None:  # noqa: N802 (Qt name)
        super().initializeGL()

    def paintGL(self) -> None:  # noqa: N802 (Qt name)
        """Draw into the bound framebuffer (viewport already set); subclasses override."""
        super().paintGL()

    def paint_overlay(self, painter: QtGui.QPainter) -> None:
        """Raster drawing over the picture, in widget coordinates; subclasses override."""

    # ----------------------------------------------------------------- painting
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        img = self._render_frame()
        p = QtGui.QPainter(self)
        if img is None:
            p.fillRect(self.rect(), QtGui.QColor.fromRgbF(*self.opts["bgcolor"]))
        else:
            p.drawImage(0, 0, img)
        self.paint_overlay(p)
        p.end()

    def _render_frame(self) -> QtGui.QImage | None:
        """paintGL into the view's framebuffer at the widget's device size, read back."""
        w, h = max(1, self.deviceWidth()), max(1, self.deviceHeight())
        if not self.makeCurrent():
            return None
        try:
            if self._fbo is None or (self._fbo.width(), self._fbo.height()) != (w, h):
                self._fbo = QOpenGLFramebufferObject(w, h, self.fbo_attachment)
            self._fbo.bind()
            GL.glViewport(0, 0, w, h)
            self.paintGL()
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo.handle())
            if self._pixels.shape != (h, w, 4):
                self._pixels = np.empty((h, w, 4), np.uint8)
            GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 4)
            # Qt's RGB32 is the 32-bit word 0xffRRGGBB: BGRA bytes on little-endian
            # machines (llvmpipe's fast path); rows come bottom-up
            GL.glReadPixels(0, 0, w, h, GL.GL_BGRA, _RGB32_TYPE, self._pixels)
            self._fbo.release()
        finally:
            self.doneCurrent()
        rows = np.ascontiguousarray(self._pixels[::-1])
        img = QtGui.QImage(rows.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(self.devicePixelRatio())
        self._frame = (rows, img)           # the image borrows rows' memory: keep both
        self.frames += 1
        return img

    def _ensure_context(self) -> bool:
        if self._ctx is not None:
            return True
        if self._gl_failed:
            return False
        self._gl_failed = True
        ctx = QtGui.QOpenGLContext(self)
        share = QtGui.QOpenGLContext.globalShareContext()
        if share is not None:
            ctx.setShareContext(share)
        ctx.setFormat(QtGui.QSurfaceFormat.defaultFormat())
        if not ctx.create():
            return False
        surface = QtGui.QOffscreenSurface(None, self)
        surface.setFormat(ctx.format())
        surface.create()
        if not surface.isValid() or not ctx.makeCurrent(surface):
            return False
        self._ctx, self._surface = ctx, surface
        self._gl_failed = False
        self.initializeGL()
        return True
