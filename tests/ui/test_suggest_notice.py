"""Switching to a surface where the runs explode at once offers the surface's learning rates."""

from optiviz_gui.core.suggest import diverging_at_once


def test_rosenbrock_offers_learning_rates_that_do_not_explode(window, qtbot):
    sim, picker = window.sim, window.controls.surface
    assert not window.suggestion.isVisible()
    picker.combo.setCurrentIndex(picker.combo.findData("rosenbrock"))
    assert sim.surface.name == "rosenbrock"
    runs = diverging_at_once(sim)
    assert runs                                          # lr 0.1 explodes by step 10
    assert window.suggestion.isVisible() and window.suggestion.runs == runs
    assert "Rosenbrock" in window.suggestion.label.text()
    window.suggestion.button.click()
    assert diverging_at_once(sim) == [] and not window.suggestion.isVisible()
    sim.seek(50)
    assert not any(t.diverged for t in sim.trajectories)


def test_the_blog_example_offers_nothing(window):
    picker = window.controls.surface
    picker.combo.setCurrentIndex(picker.combo.findData("booth"))
    picker.combo.setCurrentIndex(picker.combo.findData("linear_regression"))
    assert not window.suggestion.isVisible()
