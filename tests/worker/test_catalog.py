"""worker/ is model code only, and worker/catalog.py is the one place its lists live.

Static checks (ast, no model loads): no module of worker/ imports Django or Celery; the catalog, the config and
the noise filter import no torch; no list, tuple or dict of the catalog is written out again in the code.
"""

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "worker"
CATALOG = WORKER / "catalog.py"
SCANNED = ("demos", "quiz", "quizsite", "worker")  # the code; tests and benches may spell values out
FRAMEWORKS = ("django", "celery")


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_of_worker_imports_django_or_celery():
    offenders = {str(path.relative_to(REPO)): sorted(_imported_roots(path) & set(FRAMEWORKS))
                 for path in WORKER.rglob("*.py")}  # fmt: skip
    assert {path: roots for path, roots in offenders.items() if roots} == {}


def test_the_catalog_loads_without_torch_or_django():
    code = ("import sys; import worker.catalog, worker.config, worker.quiet; "
            "print(sorted({'torch', 'transformers', 'django', 'celery'} & set(sys.modules)))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _normal(value):
    """Lists and tuples compare alike; a dict compares as its items, in order, and as its keys."""
    if isinstance(value, dict):
        return tuple((_normal(k), _normal(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_normal(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(_normal(item) for item in value)
    return value


def _literals(path: Path):
    """(normalised value, line) of every list, tuple, set or dict literal of two or more items."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            if len(items) < 2:
                continue
            try:
                value = ast.literal_eval(node)
            except ValueError:
                continue
            yield _normal(value), node.lineno
            if isinstance(value, dict):
                yield _normal(list(value)), node.lineno


def test_no_list_of_the_catalog_is_restated_elsewhere():
    catalog = {value: line for value, line in _literals(CATALOG)}
    copies = []
    for folder in SCANNED:
        for path in (REPO / folder).rglob("*.py"):
            if path == CATALOG or "migrations" in path.parts:
                continue
            for value, line in _literals(path):
                if value in catalog:
                    copies.append(f"{path.relative_to(REPO)}:{line} restates worker/catalog.py:{catalog[value]}")
    assert copies == []


def test_the_scan_finds_a_restated_list(tmp_path):
    """The check above would see a copy: the strategy labels written out again are found."""
    copy = tmp_path / "copy.py"
    copy.write_text("from worker.catalog import STRATEGY_LABELS\nLABELS = " + repr(_catalog_value("STRATEGY_LABELS")))
    catalog = {value for value, _ in _literals(CATALOG)}
    assert any(value in catalog for value, _ in _literals(copy))


def _catalog_value(name: str):
    from worker import catalog

    return getattr(catalog, name)
