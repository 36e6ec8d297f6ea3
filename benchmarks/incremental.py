"""Does drawing export frames incrementally pay for itself? (ui/render/incremental.py, dirty.py)

    python -m benchmarks.incremental [--size 2000x1125] [--repeat 3]

The blog comparison (resources/presets/blog.json), 101 frames of the contour view at
2000×1125, in this process under Qt's offscreen platform, two ways in the same run:

    incremental   ``ViewFrames``, as ``optiviz export`` draws: per frame only the
                  rectangles that changed are repainted and handed on as patches
    whole frames  the same view rendered whole for every step (``render_image``,
                  which still keeps the map, axes and colour bar as a cached
                  background), handed on as whole frames

Each is timed twice: drawing the frames alone, and drawing + writing the GIF
(the encoder finds what changed in a whole frame by itself). Best of --repeat.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


class WholeFrames:
    """A frame source drawing each step whole with the view's own render_image."""

    def __init__(self, sim, size, options) -> None:
        from optiviz_gui.ui.views.contour.view import ContourView

        self.sim, self.size, self.count = sim, size, sim.steps + 1
        self.view = ContourView(sim)
        self.view.apply_options(options)
        self.key_colors = list(sim.colors())

    def frame(self, k: int):
        from optiviz_gui.ui.render.frames import qimage_to_array

        self.sim.seek(k)
        return qimage_to_array(self.view.render_image(*self.size))

    def close(self) -> None:
        from PySide6 import QtCore

        self.view.deleteLater()        # deleted now, as ViewFrames.close does: a view that
        # outlives the application crashes the interpreter's exit
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="2000x1125")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv or [])
    size = tuple(int(v) for v in args.size.split("x"))

    from optiviz_gui.core import session
    from optiviz_gui.export.writers import export_frames
    from optiviz_gui.ui.render.frames import ViewFrames
    from optiviz_gui.ui.render.headless import HEADLESS_ARROWS, ensure_app
    from optiviz_gui.ui.views.options import ViewOptions

    ensure_app()
    options = ViewOptions(arrows=HEADLESS_ARROWS)
    blog = session.load(None)
    out = os.path.join(tempfile.mkdtemp(), "bench.gif")

    def incremental(write: bool):
        sim = blog.copy()
        with ViewFrames(sim, "contour", size, options) as src:
            if write:
                export_frames(out, src, 10.0)
            else:
                src.frame(0)
                for k in range(1, src.count):
                    src.patches(k)

    def whole(write: bool):
        src = WholeFrames(blog.copy(), size, options)
        try:
            if write:
                export_frames(out, src, 10.0)
            else:
                for k in range(src.count):
                    src.frame(k)
        finally:
            src.close()

    n = blog.steps + 1
    print(f"blog comparison, {n} frames of the contour view at {size[0]}x{size[1]}, "
          f"best of {args.repeat}")
    for label, write in (("draw the frames", False), ("draw + write the GIF", True)):
        a = _best(lambda: incremental(write), args.repeat)
        b = _best(lambda: whole(write), args.repeat)
        print(f"  {label:22s} incremental {a:6.2f} s   whole frames {b:6.2f} s   "
              f"({b / a:4.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
