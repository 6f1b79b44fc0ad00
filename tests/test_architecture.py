"""The floors of the house: only ui/ may import Qt, only store/ speaks SQL."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
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
