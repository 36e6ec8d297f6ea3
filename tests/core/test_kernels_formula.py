"""A formula's kernel is generated from its checked graph, never from its text."""

import re

import pytest

from optiviz_gui.core import kernels
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.expression import ExpressionSurface, parse
from optiviz_gui.core.expression.nodes import FUNCTIONS, Node
from optiviz_gui.core.kernels import formula, service
from optiviz_gui.core.optimizers import make_optimizer

HOSTILE = [
    ("__import__('os').system('touch pwned')", "not allowed"),
    ("().__class__.__bases__", "attribute"),
    ("open('f')", "'open' is not a function"),
    ("eval('1')", "'eval' is not a function"),
    ("lambda: 1", "lambda"),
    ("x if y else 1", "'if ... else'"),
    ("9**9**9**9", "exponent 387420489 is too large"),
    ("(" * 200 + "x" + ")" * 200, "nested too deeply"),
]


def test_the_source_is_one_line_per_graph_operation():
    # f = x² + 3xy: ∂f/∂x = 2x + 3y, ∂f/∂y = 3x (the graph folds 3·x·y into 3·(x·y))
    src = formula.source(parse("x^2 + 3*x*y"))
    assert src == (
        "def value_and_grad_xy(self, x, y, xp):\n"
        "    v0 = x * x\n"
        "    v1 = x * y\n"
        "    v2 = 3.0 * v1\n"
        "    v3 = v0 + v2\n"
        "    v4 = 2.0 * x\n"
        "    v5 = 3.0 * y\n"
        "    v6 = v4 + v5\n"
        "    v7 = 3.0 * x\n"
        "    return v3, v6, v7\n"
    )


LINE = re.compile(
    r"(    v\d+ = (-?(v\d+|x|y|[\d.e+-]+|\(-[\d.e+-]+\))( [-+*/] | \*\* )?)+"
    r"|    v\d+ = xp\.(" + "|".join(FUNCTIONS + ("sign",)) + r")\((v\d+|x|y)\)"
    r"|    return [vxy\d., ()e+-]+)"
)


@pytest.mark.parametrize("text", [
    "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "log(1 + x^2) - exp(-y)/3 + abs(x)^1.5 + sqrt(x^2 + 1)*tanh(y) - 2^(x/3)",
    "arcsin(sin(x)/2) + arccos(cos(y)/3) + arctan(x*y) + sinh(x/5) + cosh(y/4) + tan(x/9)",
    "log10(2 + y^2) - (y + 3)^(-1/2) + x^3/50 - 1e-3*x*y",
])
def test_the_source_holds_only_numbers_names_and_whitelisted_calls(text):
    src = formula.source(parse(text))
    head, *body = src.splitlines()
    assert head == "def value_and_grad_xy(self, x, y, xp):"
    for line in body:
        assert LINE.fullmatch(line), line


def test_an_operation_outside_the_graph_language_is_refused():
    e = parse("x + y")
    e.root = Node("evil", (e.root,))
    with pytest.raises(ValueError, match="evil"):
        formula.source.__wrapped__(e)           # past the cache, which knows "x + y" by its text


def test_infinite_and_nan_constants_are_written_by_name():
    assert formula._constant(float("inf")) == "xp.inf"
    assert formula._constant(float("-inf")) == "(-xp.inf)"
    assert formula._constant(float("nan")) == "xp.nan"
    assert formula._constant(-0.0) == "(-0.0)"
    assert float(eval(formula._constant(0.1 + 0.2))) == 0.1 + 0.2   # noqa: S307 - a repr'd float


@pytest.mark.parametrize("text,needle", HOSTILE)
def test_a_hostile_formula_is_refused_before_any_kernel_exists(text, needle, kernels_on):
    before = dict(service._table)
    with pytest.raises(ConfigError, match=re.escape(needle)):
        ExpressionSurface(text)
    assert service._table == before          # nothing was queued for compiling


def test_a_formula_kernel_runs_what_its_graph_says(kernels_on):
    surface = ExpressionSurface("(1 - x)^2 + 100*(y - x^2)^2")
    kernel = kernels.get(surface, make_optimizer("sgd", lr=1e-4), wait=True)
    assert kernel is not None
    import numpy as np

    P, L, G = np.zeros((2, 2)), np.zeros(2), np.zeros((2, 2))
    P[0] = (-1.5, 2.5)
    G[0] = (-2 * 2.5 - 400 * -1.5 * (2.5 - 2.25), 200 * (2.5 - 2.25))    # Rosenbrock's ∇ by hand
    opt = make_optimizer("sgd", lr=1e-4)
    done = kernel.run(P, L, G, (opt.init(-1.5), opt.init(2.5)), 0, 1)
    x, y = -1.5 - 1e-4 * G[0, 0], 2.5 - 1e-4 * G[0, 1]
    assert done.steps == 1 and tuple(P[1]) == (x, y)
    assert L[1] == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-14)
