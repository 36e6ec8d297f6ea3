"""Update rules and their docstrings render one clean way: no raw θ_{t-1}, hats on
their letters (in the monospaced font, where Qt places a combining hat right)."""

from __future__ import annotations

import re

from optiviz_gui.core.optimizers import OPTIMIZERS
from optiviz_gui.ui.dialogs.common import rule_html, rules_html
from optiviz_gui.ui.dialogs.math_text import MONO, math_html


def test_sub_and_superscripts():
    assert math_html("θ_{t-1}") == "θ<sub>t-1</sub>"
    assert math_html("g^{ave}_t") == "g<sup>ave</sup><sub>t</sub>"
    assert math_html("m_t ← β m_{t-1}") == "m<sub>t</sub> ← β m<sub>t-1</sub>"
    assert math_html("t^c, ρ_∞") == "t<sup>c</sup>, ρ<sub>∞</sub>"
    # identifiers are not math
    assert math_html("max_exp_avg_sq, _single_tensor_adam") == "max_exp_avg_sq, _single_tensor_adam"
    assert math_html("a < b & c") == "a &lt; b &amp; c"


def test_a_hat_stays_on_its_letter():
    out = math_html("v̂ ← max(v̂, v)")
    assert out.count(f'<span style="{MONO}">v&#770;</span>') == 2
    assert "max(" in out and out.endswith(", v)")


def test_no_raw_notation_left_in_any_rule_or_docstring():
    text = rules_html()
    assert not re.search(r"[_^]\{", text)
    assert "\u0302" not in text                                    # every hat set as above
    for cls in OPTIMIZERS.values():
        assert not re.search(r"[_^]\{", rule_html(cls, wrap=True)), cls.title
