"""The shape issue 11 asks for, measured: no import cycle, short functions, few fmt: skip, fakes outside src."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "confbot"


def _modules() -> dict[str, ast.Module]:
    out = {}
    for p in SRC.rglob("*.py"):
        name = ".".join(("confbot", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        out[name] = ast.parse(p.read_text(encoding="utf-8"))
    return out


def _imports(tree: ast.Module) -> set[str]:
    return {
        n.module
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("confbot")
    }


def test_no_import_cycle() -> None:
    graph = {m: {d for d in _imports(t) if d != m} for m, t in _modules().items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in graph.get(m, ()):
            assert state.get(d) != 1, "import cycle: " + " -> ".join([*path, d])
            if d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])


def test_front_ends_stay_front_ends() -> None:
    mods = _modules()
    for front in ("confbot.cli", "confbot.ui", "confbot.api", "confbot.mcp_tools"):
        if front not in mods:
            continue
        tree = mods[front]
        imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if m.startswith(("chromadb", "confbot.store", "confbot.retrieve"))}, front
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not attrs & {"retriever", "store", "lexical", "answerer"}, front
        others = {"confbot.cli", "confbot.ui", "confbot.api"} - {front}
        assert not (_imports(mods[front]) & others), f"{front} imports another front end"


def test_functions_fit_on_a_screen_and_fmt_skip_is_rare() -> None:
    long = [
        f"{m}.{n.name} ({n.end_lineno - n.lineno + 1} lines)"
        for m, t in _modules().items()
        for n in ast.walk(t)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno - n.lineno + 1 > 80
    ]
    assert not long
    skips = sum(p.read_text(encoding="utf-8").count("# fmt: skip") for p in SRC.rglob("*.py"))
    assert skips <= 5


def test_no_test_doubles_in_the_runtime() -> None:
    for p in SRC.rglob("*.py"):
        assert "class Fake" not in p.read_text(encoding="utf-8"), p
