"""The built-in test functions of optimisation, with their exact gradients.

Standard textbook definitions (Surjanovic & Bingham, "Virtual Library of
Simulation Experiments: Test Functions", sfu.ca/~ssurjano; Jamil & Yang,
"A literature survey of benchmark functions for global optimisation
problems", 2013). Each ``value_and_grad_xy`` is written once over ``xp``
(numpy or optiviz_gui.core.scalar), with ``x*x`` rather than ``x**2``.
Minima listed to full float64 precision were solved from ∇f = 0 with
mpmath (40 digits) starting from the published values.
"""

from __future__ import annotations

import numpy as np

from .base import Surface


class Rosenbrock(Surface):
    """f = (a − x)² + b (y − x²)²,  a = 1, b = 100: a curved, flat-bottomed valley.

    ∂f/∂x = −2(a − x) − 4b x (y − x²),   ∂f/∂y = 2b (y − x²);   minimum 0 at (a, a²) = (1, 1).
    """

    name = "rosenbrock"
    title = "Rosenbrock"
    formula = "f = (1 − x)² + 100 (y − x²)²"
    bounds = ((-2.0, 2.0), (-1.0, 3.0))
    start = (-1.5, 2.5)
    minima = np.array([[1.0, 1.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        u = 1.0 - x
        v = y - x * x
        return u * u + 100.0 * v * v, -2.0 * u - 400.0 * x * v, 200.0 * v


class Beale(Surface):
    """f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²;  minimum 0 at (3, 0.5).

    With tₖ the k-th bracket: ∂f/∂x = 2t₁(y − 1) + 2t₂(y² − 1) + 2t₃(y³ − 1),
    ∂f/∂y = 2t₁x + 4t₂xy + 6t₃xy².
    """

    name = "beale"
    title = "Beale"
    formula = "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²"
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    start = (1.0, 1.5)
    minima = np.array([[3.0, 0.5]])

    def value_and_grad_xy(self, x, y, xp=np):
        y2 = y * y
        y3 = y2 * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * y3
        f = t1 * t1 + t2 * t2 + t3 * t3
        fx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
        fy = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2)
        return f, fx, fy


class Himmelblau(Surface):
    """f = (x² + y − 11)² + (x + y² − 7)²: four global minima, all 0.

    ∂f/∂x = 4x(x² + y − 11) + 2(x + y² − 7),   ∂f/∂y = 2(x² + y − 11) + 4y(x + y² − 7).
    Minima (3, 2), (−2.805118, 3.131312), (−3.779310, −3.283186), (3.584428, −1.848126).
    """

    name = "himmelblau"
    title = "Himmelblau"
    formula = "f = (x² + y − 11)² + (x + y² − 7)²"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    start = (0.0, 0.0)
    minima = np.array([[3.0, 2.0],
                       [-2.805118086952745, 3.131312518250573],
                       [-3.779310253377747, -3.2831859912861696],
                       [3.5844283403304917, -1.8481265269644036]])

    def value_and_grad_xy(self, x, y, xp=np):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return u * u + v * v, 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


class Booth(Surface):
    """f = (x + 2y − 7)² + (2x + y − 5)²: a quadratic bowl (Hessian eigenvalues 2 and 18).

    ∂f/∂x = 2u + 4v,  ∂f/∂y = 4u + 2v  with u = x + 2y − 7, v = 2x + y − 5;  minimum 0 at (1, 3).
    """

    name = "booth"
    title = "Booth"
    formula = "f = (x + 2y − 7)² + (2x + y − 5)²"
    bounds = ((-10.0, 10.0), (-10.0, 10.0))
    start = (8.0, -6.0)
    minima = np.array([[1.0, 3.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        u = x + 2.0 * y - 7.0
        v = 2.0 * x + y - 5.0
        return u * u + v * v, 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v


class Rastrigin(Surface):
    """f = 2A + Σ (xᵢ² − A cos 2πxᵢ),  A = 10: a bowl covered in local minima.

    ∂f/∂xᵢ = 2xᵢ + 2πA sin 2πxᵢ;  global minimum 0 at (0, 0).
    """

    name = "rastrigin"
    title = "Rastrigin"
    formula = "f = 20 + x² − 10 cos 2πx + y² − 10 cos 2πy"
    bounds = ((-5.12, 5.12), (-5.12, 5.12))
    start = (-4.3, 3.7)
    minima = np.array([[0.0, 0.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        w = 2.0 * xp.pi
        f = 20.0 + (x * x - 10.0 * xp.cos(w * x)) + (y * y - 10.0 * xp.cos(w * y))
        return f, 2.0 * x + 10.0 * w * xp.sin(w * x), 2.0 * y + 10.0 * w * xp.sin(w * y)


class Ackley(Surface):
    """f = −a e^(−b r) − e^((cos cx + cos cy)/2) + a + e,  r = √((x² + y²)/2),  a=20, b=0.2, c=2π.

    ∂f/∂x = a b e^(−b r) x / (2r) + (c/2) sin(cx) e^((cos cx + cos cy)/2)  (and alike in y).
    At the origin x/r has no limit (f is a cone there); the gradient is returned as 0.
    Global minimum 0 at (0, 0).
    """

    name = "ackley"
    title = "Ackley"
    formula = "f = −20 exp(−0.2 √((x² + y²)/2)) − exp((cos 2πx + cos 2πy)/2) + 20 + e"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    start = (-3.3, 4.2)
    minima = np.array([[0.0, 0.0]])

    def value_xy(self, x, y, xp=np):
        return _ackley_parts(x, y, xp)[3]

    def value_and_grad_xy(self, x, y, xp=np):
        r, cone, ripple, f = _ackley_parts(x, y, xp)
        c = 2.0 * xp.pi
        k = -0.1 * cone / xp.where(r > 0.0, r, 1.0)   # a b e^(−b r) / (2r), finite at r = 0
        return (f, k * x - 0.5 * c * xp.sin(c * x) * ripple,
                k * y - 0.5 * c * xp.sin(c * y) * ripple)


def _ackley_parts(x, y, xp):
    """(r, cone, ripple, f) of Ackley's function, shared by its value and gradient."""
    r = xp.sqrt(0.5 * (x * x + y * y))
    cone = -20.0 * xp.exp(-0.2 * r)
    c = 2.0 * xp.pi
    ripple = -xp.exp(0.5 * (xp.cos(c * x) + xp.cos(c * y)))
    return r, cone, ripple, (cone + ripple) + 20.0 + xp.e


class StyblinskiTang(Surface):
    """f = ½ Σ (xᵢ⁴ − 16xᵢ² + 5xᵢ): four basins, the deepest at xᵢ = −2.903534 each.

    ∂f/∂xᵢ = 2xᵢ³ − 16xᵢ + 2.5;  global minimum −39.16617·2 = −78.33233 at (−2.903534, −2.903534),
    a shallower local one at (2.746803, 2.746803).
    """

    name = "styblinski_tang"
    title = "Styblinski–Tang"
    formula = "f = ½ (x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    start = (0.5, 4.5)
    minima = np.array([[-2.903534027771177, -2.903534027771177]])

    def value_and_grad_xy(self, x, y, xp=np):
        x2 = x * x
        y2 = y * y
        f = 0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y))
        return f, 2.0 * x2 * x - 16.0 * x + 2.5, 2.0 * y2 * y - 16.0 * y + 2.5


class SixHumpCamel(Surface):
    """f = (4 − 2.1x² + x⁴/3) x² + xy + (−4 + 4y²) y²: six local minima, two global.

    ∂f/∂x = 8x − 8.4x³ + 2x⁵ + y,   ∂f/∂y = x − 8y + 16y³;
    global minima −1.0316 at (0.0898, −0.7126) and (−0.0898, 0.7126).
    """

    name = "six_hump_camel"
    title = "Six-hump camel"
    formula = "f = (4 − 2.1x² + x⁴/3) x² + xy + (−4 + 4y²) y²"
    bounds = ((-2.0, 2.0), (-1.2, 1.2))
    start = (-1.6, -0.9)
    minima = np.array([[0.08984201310031806, -0.7126564030207396],
                       [-0.08984201310031806, 0.7126564030207396]])

    def value_and_grad_xy(self, x, y, xp=np):
        x2 = x * x
        y2 = y * y
        f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2
        fx = (8.0 - 8.4 * x2 + 2.0 * x2 * x2) * x + y
        fy = x + (16.0 * y2 - 8.0) * y
        return f, fx, fy


class Saddle(Surface):
    """f = x² − y²: a saddle point at the origin and no minimum.  ∇f = (2x, −2y).

    Start just off the ridge (y ≠ 0) to watch a run slide off the saddle.
    """

    name = "saddle"
    title = "Saddle"
    formula = "f = x² − y²"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    start = (-1.8, 0.05)
    minima = np.zeros((0, 2))

    def value_and_grad_xy(self, x, y, xp=np):
        return x * x - y * y, 2.0 * x, -2.0 * y


class Ravine(Surface):
    """An ill-conditioned quadratic turned 45°:  f = ½ (u² + 50 v²),  u = (x + y)/√2,  v = (x − y)/√2.

    Written out: f = ¼ ((x + y)² + 50 (x − y)²),
    ∂f/∂x = ½ ((x + y) + 50 (x − y)),   ∂f/∂y = ½ ((x + y) − 50 (x − y)).
    Hessian eigenvalues 1 (along x = y) and 50 (across), condition number 50;
    stable plain gradient descent needs lr < 2/50. Because the ravine runs
    diagonally, per-coordinate scaling (RMSprop, Adam) cannot straighten it.
    Minimum 0 at (0, 0).
    """

    name = "ravine"
    title = "Ravine (condition number 50, rotated 45°)"
    formula = "f = ¼ ((x + y)² + 50 (x − y)²)"
    bounds = ((-3.0, 3.0), (-3.0, 3.0))
    start = (-2.5, -1.5)
    minima = np.array([[0.0, 0.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        s = x + y
        d = x - y
        return 0.25 * (s * s + 50.0 * d * d), 0.5 * (s + 50.0 * d), 0.5 * (s - 50.0 * d)


ALL: tuple[type[Surface], ...] = (Rosenbrock, Beale, Himmelblau, Booth, Rastrigin, Ackley,
                                  StyblinskiTang, SixHumpCamel, Saddle, Ravine)
