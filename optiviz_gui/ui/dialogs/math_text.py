"""Plain-text math as Qt rich text: the one way the side panel and Help ▸ Update
rules show an optimizer's rule and docstring.

    θ_{t-1}, g^{ave}_t, v^{max}_t   sub- and superscripts in braces
    m_t, ρ_∞, t^c                   a single letter's one-token sub- or superscript
    v̂, m̂                            a hatted letter (letter + U+0302)

Qt lays a combining circumflex out wrongly in proportional fonts (DejaVu Sans
puts it over the next character or further: AMSGrad read "v ← max(v, v)" with
the hats floating to the right), and correctly in a monospaced one, so a hatted
letter is set in the monospaced font. Identifiers such as ``max_exp_avg_sq``
are left alone: only a lone letter takes a subscript.
"""

from __future__ import annotations

import html
import re

_BRACED = re.compile(r"([_^])\{([^{}]*)\}")
_SINGLE = re.compile(r"(?<![\w\u0302])(\w\u0302?)([_^])([A-Za-z0-9∞]{1,3})(?![A-Za-z_])")
_AFTER = re.compile(r"(</su[bp]>)([_^])([A-Za-z0-9∞]{1,3})(?![A-Za-z_])")   # g^{ave}_t
_HAT = re.compile(r"(\w)\u0302")
_TAG = {"_": "sub", "^": "sup"}
MONO = "font-family:'DejaVu Sans Mono',monospace"


def math_html(text: str) -> str:
    """``text`` (plain, with the notations above) as escaped rich text."""
    out = html.escape(text, quote=False)
    out = _BRACED.sub(lambda m: f"<{_TAG[m[1]]}>{m[2]}</{_TAG[m[1]]}>", out)
    for pattern in (_SINGLE, _AFTER):
        out = pattern.sub(lambda m: f"{m[1]}<{_TAG[m[2]]}>{m[3]}</{_TAG[m[2]]}>", out)
    return _HAT.sub(lambda m: f"<span style=\"{MONO}\">{m[1]}&#770;</span>", out)
