"""Imports point inward: the domain uses the standard library only; only storage imports
pynamodb; only app.py and api/ import chalice."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    foreign = {
        name
        for name in _imports(path)
        if name not in sys.stdlib_module_names and name not in {"chalicelib", "__future__"}
    }
    assert not foreign
    inner = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom)]
    assert all(
        (n.module or "").startswith("chalicelib.domain")
        or n.module == "__future__"
        or (n.module or "").split(".")[0] != "chalicelib"
        for n in inner
    )


def test_only_storage_imports_pynamodb() -> None:
    users = {p.relative_to(PACKAGE).parts[0] for p in _files("") if "pynamodb" in _imports(p)}
    assert users == {"storage"}


def test_only_the_api_imports_chalice() -> None:
    users = {p.relative_to(PACKAGE).parts[0] for p in _files("") if "chalice" in _imports(p)}
    assert users == {"api"}
