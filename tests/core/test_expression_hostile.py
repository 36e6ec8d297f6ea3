"""Formulas that must be refused, each with one sentence, and nothing ever executed."""

from __future__ import annotations

import builtins

import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core import scalar
from optiviz_gui.core.expression import parse

HOSTILE = [
    ("__import__('os').system('x')", "not allowed"),
    ("().__class__", "attribute"),
    ("x.real", "attribute"),
    ("[x][0]", "indexing"),
    ("open('f')", "'open' is not a function"),
    ("eval('1')", "'eval' is not a function"),
    ("exec('x')", "'exec' is not a function"),
    ("lambda: 1", "lambda"),
    ("[i for i in x]", "comprehension"),
    ("'a'", "text in quotes"),
    ("b'a'", "text in quotes"),
    ("x if y else 1", "'if ... else'"),
    ("x < y", "comparison"),
    ("x and y", "'and'/'or'"),
    ("(x := 1)", "':='"),
    ("sin(x, y)", "exactly one argument"),
    ("sin(x=1)", "keyword"),
    ("sin(*x)", "unpacking"),
    ("z + 1", "unknown name 'z'"),
    ("9**9**9**9", "exponent 387420489 is too large"),
    ("x**100", "exponent 100 is too large"),
    ("1j", "complex"),
    ("f'{x}'", "f-string"),
    ("(" * 200 + "x" + ")" * 200, "nested too deeply"),
    ("-" * 60 + "x", "nested too deeply"),
    ("x" * 100_000, "100000 characters"),
    ("+".join(["x"] * 300), "too long"),
    ("", "empty"),
    ("   ", "empty"),
    ("x +", "ends unexpectedly"),
    ("2x", "syntax error at column 1"),
    ("x // 2", "'//'"),
    ("x % 2", "'%'"),
    ("~x", "'~'"),
    ("x @ y", "'@'"),
    ("True", "'True'"),
    ("{x}", "set"),
    ("x, y", "tuple"),
    ("1/0", "not a finite real number"),
    ("log(0) + x", "not a finite real number"),
    ("sqrt(-1)*x", "not a finite real number"),
    ("1e999*x", "too large"),
    ("sin", "needs an argument"),
    ("sin(x)(y)", "calling"),
    ("x # comment", "'#'"),
    ("x\x00", "character '\\x00'"),
]


@pytest.mark.parametrize("text, fragment", HOSTILE, ids=[repr(h[0][:30]) for h in HOSTILE])
def test_hostile_or_malformed_formula_is_refused(text, fragment):
    with pytest.raises(ConfigError) as info:
        parse(text)
    message = str(info.value)
    assert fragment in message
    assert message.startswith("expr: ") and message.endswith(".") and "\n" not in message


def test_non_text_is_refused():
    with pytest.raises(ConfigError, match="must be text"):
        parse(42)


def test_columns_point_at_the_text_as_typed():
    # "^" became "**" and the spaces were squeezed, yet the column is the typed one
    with pytest.raises(ConfigError, match="at column 10,"):
        parse("x^2   +  foo")
    with pytest.raises(ConfigError, match="at column 5,"):
        parse("x + y.imag")


def test_nothing_is_ever_executed(tmp_path, monkeypatch):
    """With eval/exec/__import__ watched and compile allowed only to build syntax trees,
    every hostile formula is refused, nothing is called, and formulas that would
    create files leave none behind."""
    monkeypatch.chdir(tmp_path)
    calls: list[str] = []
    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "__import__", "compile")}

    def watch(name):
        def f(*args, **kwargs):
            calls.append(f"{name}{args[:1]!r}")
            return saved[name](*args, **kwargs)
        return f

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & 0x400:  # ast.PyCF_ONLY_AST
            calls.append(f"compile({source!r})")
        return saved["compile"](source, filename, mode, flags, *args, **kwargs)

    creators = ["open('pwned1.txt', 'w').write('x')",
                "__import__('pathlib').Path('pwned2.txt').touch()",
                "x + open('pwned3.txt', 'w').close()",
                "[open('pwned4.txt', 'w') for _ in (1,)]",
                "(lambda: open('pwned5.txt', 'w'))()"]
    outcomes = []
    for name in ("eval", "exec", "__import__"):
        setattr(builtins, name, watch(name))
    builtins.compile = ast_only_compile
    try:
        for text in creators + [h[0] for h in HOSTILE]:
            try:
                parse(text)
                outcomes.append(f"accepted {text[:30]!r}")
            except ConfigError:
                pass
        good = parse("sin(x) + y^2").value_and_grad(0.0, 2.0, scalar)
    finally:
        for name, f in saved.items():
            setattr(builtins, name, f)
    assert outcomes == []
    assert calls == []
    assert good == [4.0, 1.0, 4.0]        # a good formula was parsed and evaluated meanwhile
    assert list(tmp_path.iterdir()) == []


