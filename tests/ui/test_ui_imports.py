"""ui/ has no import circle (every import counts: module level, inside functions, under
TYPE_CHECKING), and features reach the window only through the shell's API."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "csdesk" / "ui"


def _modules() -> dict[str, Path]:
    found = {}
    for path in UI.rglob("*.py"):
        parts = path.relative_to(UI.parent.parent).with_suffix("").parts
        found[".".join(parts).removesuffix(".__init__")] = path
    return found


def _imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    out: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(resolve(a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                out.add(sub if sub in known else resolve(source))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            out.add("<dynamic import>")  # hides an edge from this test: not allowed in ui/
    out.discard(None)
    out.discard(module)
    return {m for m in out if m is not None}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_ui_has_no_import_cycle() -> None:
    known = _modules()
    edges = {m: _imports(m, p, known) for m, p in known.items()}
    assert not [m for m, e in edges.items() if "<dynamic import>" in e]
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_features_use_the_shell_api_only() -> None:
    private = re.compile(r"\bwindow\._[a-z]")
    for path in sorted((UI / "features").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "csdesk.ui.main_window" not in text, f"{path.name} imports the window, not the shell"
        assert not private.search(text), f"{path.name} touches a private member of the window"
        assert "type: ignore[attr-defined]" not in text, f"{path.name} adds attributes"
        assert "findChild" not in text.replace("findChildren(QDialog)", ""), path.name
