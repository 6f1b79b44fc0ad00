"""The floors of the house: only ui/ may import Qt, only store/ speaks SQL."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import csdesk

PACKAGE = Path(csdesk.__file__).parent
QT_FREE = ["csdesk.domain", "csdesk.errors", "csdesk.paths", "csdesk.cli"] + [
    f"{pkg}.{m.name}"
    for pkg in ("csdesk.store", "csdesk.services", "csdesk.commands")
    for m in pkgutil.iter_modules([str(PACKAGE / pkg.split(".")[1])])
]


def test_core_modules_do_not_load_qt() -> None:
    # One fresh interpreter imports the modules one by one and names the first that pulls in Qt.
    code = (
        "import sys, importlib\n"
        f"for name in {QT_FREE!r}:\n"
        "    importlib.import_module(name)\n"
        "    qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "    if qt:\n"
        "        print(name, qt[:3]); break\n"
        "else:\n"
        "    print('clean', len(sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert out.startswith("clean"), out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_ui_never_imports_the_store() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(i for i in _imports(p) if i.startswith("csdesk.store"))
        for p in (PACKAGE / "ui").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_sql_lives_in_the_store() -> None:
    """Outside store/, no module calls .execute( on a connection: SQL belongs to one floor."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "store":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"execute", "executemany", "executescript"}
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_module_list_is_not_empty() -> None:
    # Guards the parametrised test above against silently testing nothing.
    assert {"csdesk.services.search", "csdesk.store.db", "csdesk.commands.search"} <= set(QT_FREE)


# -- every import, at any depth ----------------------------------------------------------------
# The tests below walk the whole syntax tree of every module, so an import inside a function (or
# under TYPE_CHECKING) counts as much as one at the top: a lazy import is still a dependency.
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules one import statement loads (import-linter's reading: `from pkg import mod`
    depends on pkg.mod, `from mod import name` on mod)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from . import x
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    subs = [f"{prefix}.{alias.name}" for alias in node.names]
    found = [name for name in subs if name in MODULES]
    return found if len(found) == len(subs) else [*found, prefix]


def _import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[module].update(
                    t for t in _targets(module, path, node) if t in MODULES and t != module
                )
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other round in a loop (Tarjan's strongly connected
    components of more than one module), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_a_loop() -> None:
    # Guards the test below: a finder that finds nothing would pass it too.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _import_graph()["csdesk.services.desk"] >= {"csdesk.services.customers"}


def test_no_import_cycles() -> None:
    """No module imports itself back through others, at any depth of any module."""
    # ui/ included: its circles (features <-> main_window, security <-> admin <-> backups) are gone.
    cycles = _cycles(_import_graph())
    assert cycles == []


def _walk_outside(floor: str) -> Iterator[tuple[str, ast.AST]]:
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] != floor:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                yield f"{rel}:{getattr(node, 'lineno', 0)}", node


def test_only_the_store_speaks_to_sqlite() -> None:
    """sqlite3 and psycopg (their connect, their error classes) belong to store/: services and
    faces catch the store's errors, so they do not change when the engine does."""
    offenders = []
    for where, node in _walk_outside("store"):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Attribute):
            names = [_root_name(node) or ""]
        else:
            continue
        if any(name.split(".")[0] in ("sqlite3", "psycopg") for name in names):
            offenders.append(where)
    assert offenders == []


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_floor_reaches_into_the_stores_private_names() -> None:
    """Outside store/, nothing reads a store module's _private names (migrations._migrations)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "store":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        store_names: set[str] = set()  # local names bound to the store's modules or objects
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("csdesk.store"):
                for alias in node.names:
                    if alias.name.startswith("_"):
                        offenders.append(f"{rel}:{node.lineno} imports {alias.name}")
                    store_names.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("csdesk.store"):
                        store_names.add(alias.asname or alias.name.split(".")[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and _root_name(node) in store_names
            ):
                offenders.append(f"{rel}:{node.lineno} reads .{node.attr}")
    assert offenders == []


CORE = ("domain.py", "errors.py", "paths.py", "store", "services")


def test_the_core_never_imports_a_face_or_qt_even_lazily() -> None:
    """The subprocess test above sees what importing loads; this sees imports inside functions
    too, which load only when called."""
    faces = ("PySide6", "shiboken6", "csdesk.ui", "csdesk.render", "csdesk.commands", "csdesk.cli")
    offenders = []
    for module, path in MODULES.items():
        if path.relative_to(PACKAGE).parts[0] not in CORE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(module, path, node):
                    if target.split(".")[0] in faces or target.startswith(faces):
                        offenders.append(f"{module}:{node.lineno} {target}")
    assert offenders == []
