"""No function in the package is longer than a reader can hold in their head.

Every module of the package is read with ``ast``; a function's length is the number of source
lines it spans, ``end_lineno - lineno + 1``, its docstring, comments and blank lines included
(decorators excluded). Methods and nested functions count on their own, named ``Class.method`` and
``outer.inner``. A function over the limit is split into helpers that each do one job.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "ddanalysis"
MAX_LINES = 60

#: Functions still over the limit, by (file relative to the package, qualified name), each to be split
#: in its turn; delete its entry when it is (the test below fails on an entry that is no longer over
#: the limit, so that this set only ever shrinks). Add nothing here.
ALLOWED_LONG: set[tuple[str, str]] = {}


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, line, length) of every function and method in ``tree``, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{node.name}"
            yield name, node.lineno, node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _lengths() -> dict[tuple[str, str], tuple[int, int]]:
    """(file relative to the package, qualified name) -> (first line, length in lines), for every module."""
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line, length in _functions(tree):
            out[(rel, name)] = (line, length)
    return out


def test_functions_are_at_most_60_lines():
    too_long = [
        f"ddanalysis/{rel}:{line} {name} is {length} lines"
        for (rel, name), (line, length) in sorted(_lengths().items())
        if length > MAX_LINES and (rel, name) not in ALLOWED_LONG
    ]
    assert not too_long, (
        f"functions over {MAX_LINES} lines (split each into helpers that do one job):\n  " + "\n  ".join(too_long)
    )


def test_allow_list_holds_only_functions_still_over_the_limit():
    lengths = _lengths()
    stale = [
        f"ddanalysis/{rel} {name}: "
        + ("no longer exists" if (rel, name) not in lengths else f"now {lengths[(rel, name)][1]} lines")
        for rel, name in sorted(ALLOWED_LONG)
        if lengths.get((rel, name), (0, 0))[1] <= MAX_LINES
    ]
    assert not stale, "remove from ALLOWED_LONG (gone, or within the limit now):\n  " + "\n  ".join(stale)


def test_the_walk_finds_methods_and_nested_functions():
    tree = ast.parse("class A:\n    def m(self):\n        def inner():\n            pass\n\n\ndef f():\n    return 1\n")
    assert list(_functions(tree)) == [("A.m", 2, 3), ("A.m.inner", 3, 2), ("f", 7, 2)]
