"""Apps import one way only: config -> pages -> comparisons -> treatments -> workflow (README, Architecture)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["pages", "comparisons", "treatments", "workflow"]  # each may import only those after it


def imported_apps(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & {*LAYERS, "config"}


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    allowed = set(LAYERS[LAYERS.index(app) :])
    if app != "workflow":
        allowed.add("config")  # the page cache, until it moves to Django's cache framework (issue 12)
    wrong = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(found - allowed))}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and (found := imported_apps(path)) - allowed
    }
    assert not wrong, sorted(wrong)
