"""The 3-D hover's geometry (views/surface/pick.py), against rays and planes solved by hand.

The mesh is piecewise linear over its grid, so a plane sampled on the grid is drawn
exactly as that plane: the ray's first crossing can be solved on paper.
"""

import math

import numpy as np
from PySide6 import QtGui

from optiviz_gui.ui.views.surface.pick import height_at, pick, surface_readout, view_ray

from bowl import Bowl


def grid(n):
    u = np.linspace(-1, 1, n)
    return np.meshgrid(u, u, indexing="ij")


def test_a_ray_meets_a_tilted_plane_where_the_algebra_says():
    X, Y = grid(11)
    h = 0.5 + 0.2 * X - 0.1 * Y
    o, d = np.array([0.3, -0.2, 3.0]), np.array([0.1, 0.05, -1.0])
    # 3 − t = 0.5 + 0.2 (0.3 + 0.1 t) − 0.1 (−0.2 + 0.05 t)  ⇒  t = 2.42 / 1.015
    t = 2.42 / 1.015
    np.testing.assert_allclose(pick(h, o, d), o + t * d, atol=1e-9)


def test_the_first_crossing_is_the_one_seen():
    """A tent along X = 0 (height 1 on the ridge, 0 a cell away) seen from the side at
    height ½: the ray meets the near face half a cell before the ridge, not the far one."""
    n = 21
    cell = 2 / (n - 1)
    h = np.zeros((n, n))
    h[n // 2, :] = 1.0
    p = pick(h, np.array([-3.0, 0.1, 0.5]), np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(p, [-cell / 2, 0.1, 0.5], atol=1e-9)
    # and from the other side, the other face
    p = pick(h, np.array([3.0, 0.1, 0.5]), np.array([-1.0, 0.0, 0.0]))
    np.testing.assert_allclose(p, [cell / 2, 0.1, 0.5], atol=1e-9)


def test_holes_and_rays_that_miss_pick_nothing():
    X, Y = grid(11)
    h = np.where(X > 0.5, np.nan, 0.2 + 0 * X)        # a hole where X > 0.5
    down = np.array([0.0, 0.0, -1.0])
    assert pick(h, np.array([0.8, 0.0, 2.0]), down) is None          # through the hole
    np.testing.assert_allclose(pick(h, np.array([-0.3, 0.4, 2.0]), down), [-0.3, 0.4, 0.2])
    assert pick(h, np.array([2.0, 0.0, 2.0]), down) is None          # beside the box
    assert pick(h, np.array([0.0, 0.0, 2.0]), -down) is None         # looking up
    assert pick(np.full((5, 5), np.nan), np.zeros(3), down) is None   # no surface at all


def test_height_at_is_the_drawn_triangles():
    """Cell (i, j) is drawn as triangles (i,j)(i+1,j)(i+1,j+1) and (i,j)(i+1,j+1)(i,j+1):
    the centre of the cell's lower-right half is the mean of its three corners."""
    h = np.array([[0.0, 3.0], [1.0, 8.0]])          # corners a, d / b, c
    third = 1 / 3
    # below the diagonal (fu > fv): triangle a, b, c; above it: a, c, d
    x, y = -1 + 2 * (2 * third), -1 + 2 * third
    np.testing.assert_allclose(height_at(h, np.array([x]), np.array([y])), [(0 + 1 + 8) / 3])
    np.testing.assert_allclose(height_at(h, np.array([y]), np.array([x])), [(0 + 8 + 3) / 3])


def test_the_ray_through_a_pixel_projects_back_onto_it():
    """view_ray inverts Qt's own projection: a point on the ray lands on the pixel."""
    w, h = 480, 360
    proj = QtGui.QMatrix4x4()
    proj.perspective(60.0, w / h, 0.01, 100.0)
    view = QtGui.QMatrix4x4()
    view.lookAt(QtGui.QVector3D(2, -3, 2), QtGui.QVector3D(0, 0, 0.3), QtGui.QVector3D(0, 0, 1))
    m = proj * view
    M = np.array(m.data(), dtype=float).reshape(4, 4).T     # column-major in Qt
    for x, y in ((10, 20), (240, 180), (470, 5)):
        o, d = view_ray(m, x, y, w, h)
        for t in (0.0, 0.01, 0.7):
            v = M @ [*(o + t * d), 1.0]
            assert math.isclose((v[0] / v[3] + 1) / 2 * w, x, abs_tol=1e-6)
            assert math.isclose((1 - v[1] / v[3]) / 2 * h, y, abs_tol=1e-6)


def test_the_readout_names_the_point_and_its_loss():
    # scene (−1, 0.5) is x = −2, y = 1 on [−2, 2]²: f = (4 + 4)/2
    assert surface_readout(Bowl(), np.array([-1.0, 0.5, 0.3])) == "x = -2, y = 1: loss 4"
    assert surface_readout(Bowl(), None) == ""
