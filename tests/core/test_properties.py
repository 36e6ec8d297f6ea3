"""Property tests: any valid configuration on any surface runs without raising, and a
run that blows up is flagged as diverged instead of carrying inf/nan."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optiviz_gui.core.optimizers import OPTIMIZERS
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.trajectory import Trajectory

SURFACES = {name: cls() for name, cls in BUILTINS.items()}


# Trajectory runs one coordinate at a time: the elementwise rules (Adafactor, LBFGS and
# Muon work on whole points and join the run loop when it takes (..., D) arrays)
ELEMENTWISE = sorted(name for name, cls in OPTIMIZERS.items() if cls.elementwise)


@st.composite
def optimizers(draw):
    cls = OPTIMIZERS[draw(st.sampled_from(ELEMENTWISE))]
    hp = {}
    for h in cls.hyper:
        if h.kind == "bool":
            hp[h.name] = draw(st.booleans())
        elif h.name == "etas":
            hp[h.name] = (draw(st.floats(0.01, 0.99)), draw(st.floats(1.01, 3.0)))
        elif h.kind == "pair":
            hp[h.name] = tuple(draw(st.floats(0.0, 0.999)) for _ in range(2))
        elif h.name == "lr":
            hp[h.name] = 10 ** draw(st.floats(-6, 3))
        else:
            hi = h.high if h.high is not None and h.high < 10 else 1.0
            hp[h.name] = draw(st.floats(h.low or 0.0, hi))
    if hp.get("nesterov"):
        hp["dampening"], hp["momentum"] = 0.0, max(hp.get("momentum", 0.0), 0.1)
    if "eps" in hp:
        hp["eps"] = max(hp["eps"], 1e-12)
    return cls(**hp)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opt=optimizers(), name=st.sampled_from(sorted(SURFACES)),
       u=st.floats(0, 1), v=st.floats(0, 1))
def test_any_valid_configuration_runs_and_flags_divergence(opt, name, u, v):
    surface = SURFACES[name]
    (x0, x1), (y0, y1) = surface.bounds
    t = Trajectory(surface, opt, (x0 + u * (x1 - x0), y0 + v * (y1 - y0)))
    t.extend(60)
    assert np.all(np.isfinite(t.params)) and np.all(np.isfinite(t.loss))
    assert np.all(np.isfinite(t.grad))
    if t.diverged:
        assert t.steps == t.diverged_at - 1
    else:
        assert t.steps == 60


def test_an_exploding_learning_rate_is_flagged_on_every_polynomial_surface():
    # every built-in but Ackley grows at least quadratically, so lr = 1000 overshoots further
    # each step; Ackley flattens out far away, where a huge step simply lands and stays
    for name, surface in SURFACES.items():
        if name == "ackley":
            continue
        opt = OPTIMIZERS["sgd"](lr=1e3)
        t = Trajectory(surface, opt, surface.start)
        t.extend(200)
        g0 = math.hypot(*t.grad[0]) if t.steps >= 0 else math.inf
        if g0 > 1e-3:     # a start where the gradient pushes at all
            assert t.diverged, name
