"""Level-map arithmetic on grids with overflow: gaps, never an exception.

A typed formula such as 1e308·x² overflows float64 over most of its window. The
colour range, ticks and iso-levels must come from the rest of the grid (its
minimum and maximum are known here by construction), and the overflowing
samples are gaps (NaN) in the image.
"""

import numpy as np
import pytest

from optiviz_gui.ui.views.levels import HUGE, levels, transform_for, value_range


def grid_with_overflow():
    x = np.linspace(-1, 1, 41)
    z = np.add.outer(x ** 2, x ** 2)              # 0 … 2 on the finite part
    z[:5] = 1e308
    z[-3:, :] = np.inf
    z[10, 10] = -np.inf
    z[11, 11] = np.nan
    z[12, :] = -1e305
    return z


@pytest.mark.parametrize("scale", ["linear", "sqrt", "log"])
def test_overflowing_samples_are_gaps_and_the_range_is_the_rest(scale):
    z = grid_with_overflow()
    ok = np.abs(z) <= HUGE
    assert value_range(z, scale) == (z[ok].min(), z[ok].max())
    lv = levels(z, scale)
    assert np.isnan(lv.image[~ok]).all()
    assert np.isfinite(lv.image[ok]).all()
    assert all(np.isfinite(lv.range)) and lv.range[0] < lv.range[1]
    for position, text in lv.ticks:
        assert lv.range[0] - 1e-9 <= position <= lv.range[1] + 1e-9 and text
    assert np.isfinite(lv.iso).all()
    fwd, (t0, t1) = transform_for(z, scale)
    assert (t0, t1) == pytest.approx(lv.range)


@pytest.mark.parametrize("scale", ["linear", "sqrt", "log"])
def test_a_grid_at_float64s_limits_still_gets_ticks(scale):
    z = np.linspace(-1e300, 1e300, 50 * 50).reshape(50, 50)
    lv = levels(z, scale)
    assert all(np.isfinite(lv.range)) and lv.ticks


def test_nothing_displayable_is_an_empty_map():
    z = np.full((10, 10), 1e308)
    assert value_range(z, "linear") is None
    lv = levels(z, "log")
    assert np.isnan(lv.image).all() and lv.ticks == [] and len(lv.iso) == 0
