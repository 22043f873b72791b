"""Imports point inward (CONVENTIONS.md): one table says which parts of the app each part may
import, and every module (app.py and all of chalicelib, lazy imports inside functions included)
is checked against it with ast. The domain uses the standard library only; only storage imports
pynamodb; only app.py and api/ import chalice."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

# The parts of the app (chalicelib's packages and top-level modules, and app.py) and what each may
# import from the others; a part may always import itself. Anything not listed is forbidden.
ALLOWED: dict[str, frozenset[str]] = {
    "chalicelib": frozenset(),  # the package's own __init__
    "domain": frozenset(),
    "config": frozenset(),
    "validation": frozenset(),
    "qr": frozenset(),
    "policies": frozenset({"domain"}),
    "paper": frozenset({"domain", "qr"}),
    "security": frozenset({"domain", "config"}),
    # The ports the services need (services/ports.py): storage implements them (0012).
    "ports": frozenset({"domain"}),
    "storage": frozenset({"domain", "security", "config", "ports"}),
    "services": frozenset(
        {"domain", "policies", "security", "config", "validation", "qr", "paper", "ports"}
    ),
    "api": frozenset({"services", "domain", "security", "config", "validation"}),
    # Entry points, which wire the parts together.
    "manage": frozenset({"domain", "security", "services", "storage", "config", "validation"}),
    "app": frozenset({"api"}),
}
# Single modules allowed one more direction than their part, and why.
EXCEPTIONS: dict[str, frozenset[str]] = {
    # The composition root: builds the DynamoDB store behind the services' Store port, lazily.
    "chalicelib.services.context": frozenset({"storage"}),
}
# Third-party packages only some parts may import.
ONLY_IN: dict[str, frozenset[str]] = {
    "pynamodb": frozenset({"storage"}),
    "chalice": frozenset({"api", "app"}),
}
STANDARD_LIBRARY_ONLY = frozenset({"domain"})

# The directions CONVENTIONS.md forbids by name; the table must never allow one of them.
FORBIDDEN = {
    "domain": {"policies", "security", "services", "storage", "api", "config", "validation"},
    "config": {"domain", "policies", "security", "services", "storage", "api", "validation"},
    "security": {"services", "storage", "api"},
    "storage": {"services", "api"},  # but the ports it implements
    "ports": {"services", "storage", "api", "security"},
    "services": {"api"},
    "api": {"storage"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str | None:
    """The part of the app a dotted module name belongs to; None outside the app."""
    names = module.split(".")
    if names[0] == "app":
        return "app"
    if names[:3] == ["chalicelib", "services", "ports"]:
        return "ports"  # its own part: the one piece of services that storage may see
    if names[0] == "chalicelib":
        return names[1] if len(names) > 1 else "chalicelib"
    return None


def imported(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` (the text of `module`) imports, as absolute dotted names;
    `from chalicelib import config` counts as `chalicelib.config`."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            if base == "chalicelib":
                names.update(f"chalicelib.{alias.name}" for alias in node.names)
    return names


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The imports of `module` that the table forbids, as `module -> imported` lines."""
    part = _part(module)
    if part not in ALLOWED:
        return [f"{module}: part {part!r} is not in the table of allowed directions"]
    allowed = ALLOWED[part] | EXCEPTIONS.get(module, frozenset()) | {part}
    found = []
    for name in sorted(imported(source, module, is_package=is_package)):
        top, target = name.split(".")[0], _part(name)
        if top in {"chalicelib", "app"}:
            ok = target in allowed or target == "chalicelib"  # the bare package: its __init__
        elif top in ONLY_IN:
            ok = part in ONLY_IN[top]
        else:
            ok = part not in STANDARD_LIBRARY_ONLY or top in sys.stdlib_module_names
        if not ok:
            found.append(f"{module} -> {name}")
    return found


def _modules() -> list[Path]:
    return [ROOT / "app.py", *sorted(PACKAGE.rglob("*.py"))]


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported(path.read_text(), _module_name(path))}


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_imports_only_in_the_directions_the_table_allows(path: Path) -> None:
    source = path.read_text()
    assert violations(source, _module_name(path), is_package=path.name == "__init__.py") == []


def test_the_table_allows_none_of_the_directions_the_conventions_forbid() -> None:
    loosened = {part: ALLOWED[part] & forbidden for part, forbidden in FORBIDDEN.items()}
    assert loosened == {part: frozenset() for part in FORBIDDEN}
    assert STANDARD_LIBRARY_ONLY == {"domain"} and all(
        ONLY_IN[name] == parts
        for name, parts in {"pynamodb": {"storage"}, "chalice": {"api", "app"}}.items()
    )


def test_every_exception_names_a_module_that_exists() -> None:
    modules = {_module_name(path) for path in _modules()}
    assert set(EXCEPTIONS) <= modules


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("chalicelib.security.signing", "from chalicelib.services.ports import Store"),
        ("chalicelib.security.tokens", "from ..services import keys"),
        ("chalicelib.security.tokens", "import chalicelib.storage.dynamo"),
        ("chalicelib.domain.rules", "import pynamodb"),
        ("chalicelib.domain.rules", "import segno"),
        ("chalicelib.domain.rules", "from chalicelib import config"),
        ("chalicelib.domain.rules", "def later():\n    from chalicelib.storage import tables"),
        ("chalicelib.services.codes", "from chalicelib.api import http"),
        ("chalicelib.services.codes", "import chalice"),
        ("chalicelib.services.keys", "from chalicelib.storage.dynamo import DynamoStore"),
        ("chalicelib.storage.dynamo", "from chalicelib.services import ports"),
        ("chalicelib.storage.dynamo", "from chalicelib.api.schemas import Answer"),
        ("chalicelib.api.holders", "from chalicelib.storage.dynamo import DynamoStore"),
        ("chalicelib.api.holders", "import pynamodb.models"),
        ("chalicelib.config", "from chalicelib.domain.errors import NotFound"),
        ("chalicelib.qr", "from chalicelib.services import codes"),
        ("chalicelib.newpart", "import json"),
    ],
)
def test_the_checker_finds_a_forbidden_import(module: str, source: str) -> None:
    assert violations(source, module) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("chalicelib.storage.dynamo", "from chalicelib.security.fields import encrypt"),
        ("chalicelib.storage.dynamo", "from chalicelib import config"),
        ("chalicelib.services.context", "from chalicelib.storage.dynamo import DynamoStore"),
        ("chalicelib.api.holders", "from ..services import codes"),
        ("chalicelib.domain.rules", "from .errors import NotFound\nimport datetime"),
        ("app", "from chalice import Chalice\nfrom chalicelib.api import auth"),
    ],
)
def test_the_checker_lets_an_allowed_import_pass(module: str, source: str) -> None:
    assert violations(source, module) == []


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
