"""No package imports upward (issue 10, point 9): the packages form layers, each importing
only from the layers below it, so `domain/` stays pure and a use case never reaches into
the code that drives it. The SDK imports nothing of the hub."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "accounts_center"

# Lowest first. A module may import its own layer and any layer before it.
LAYERS = [
    {"domain"},
    {"clock", "settings", "crypto"},
    {"store"},
    {"hub"},
    {"services"},
    {"oidc"},
    {"delivery"},
    {"web"},
    {"cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> set[str]:
    """The top-level accounts_center parts a module imports (at any depth of the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "accounts_center" and len(parts) > 1:
                found.add(parts[1])
    return found


def _part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def test_no_package_imports_a_layer_above_its_own():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = _part_of(path)
        if part == "__init__":
            continue
        assert part in RANK, f"{part} is in no layer: add it to LAYERS"
        for imported in _imports(path):
            if RANK.get(imported, -1) > RANK[part]:
                upward.append(f"{path.relative_to(PACKAGE)} imports accounts_center.{imported}")
    assert not upward, "\n".join(upward)


def _top_level_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add((node.module or "").split(".")[0])
    return found


# Its own distribution (issue 12, point 1): what a member app installs, with no more
# than these dependencies, and nothing of the hub.
SDK = Path(__file__).resolve().parents[1] / "sdk" / "src" / "accounts_center_sdk"
SDK_MAY_IMPORT = {"accounts_center_sdk", "httpx", "authlib", "joserfc", "standardwebhooks"}


def test_the_sdk_imports_nothing_of_the_hub_and_only_its_declared_dependencies():
    paths = sorted(SDK.rglob("*.py"))
    assert paths
    for path in paths:
        for top in _top_level_imports(path):
            assert top in sys.stdlib_module_names or top in SDK_MAY_IMPORT, (path, top)


def test_domain_imports_no_framework():
    frameworks = {"sqlalchemy", "fastapi", "starlette", "httpx", "authlib", "joserfc"}
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""])
                for name in names:
                    assert name.split(".")[0] not in frameworks, (path, name)


# zxcvbn is pure computation (its word lists are Python literals, nothing is read or
# fetched), so the password rules can use it and stay a pure rule (issue 11, point 7).
DOMAIN_MAY_IMPORT = {"accounts_center", "zxcvbn"}


def test_domain_imports_only_the_standard_library_and_pure_estimators():
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in DOMAIN_MAY_IMPORT, (path, name)


DEMO = Path(__file__).resolve().parents[1] / "demo" / "src" / "accounts_center_demo"


def test_the_demo_apps_reach_the_hub_only_through_the_sdk():
    paths = sorted(DEMO.rglob("*.py"))
    assert paths
    for path in paths:
        assert "accounts_center" not in _top_level_imports(path), path
    assert any("accounts_center_sdk" in _top_level_imports(p) for p in paths)
