"""Layering, migrations and schema hygiene (STYLE §1.2, §1.12)."""

from __future__ import annotations

import ast
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# An app may import only from apps below it.
LAYERS = [
    "core",
    "accounts",
    "catalogue",
    "vendors",
    "procurement",
    "contracts",
    "assessments",
]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add(top)
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_apps_import_only_from_layers_below(app):
    # given: the layer order core → accounts → catalogue → vendors → procurement → contracts
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    # when: every module of the app is read
    offenders = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = _imported_apps(path) - allowed
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    # then
    assert not offenders, offenders


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


@pytest.mark.parametrize("app", LAYERS)
def test_migrations_are_numbered_once_and_named(app):
    files = sorted(p.name for p in (ROOT / app / "migrations").glob("[0-9]*.py"))
    numbers = [f.split("_")[0] for f in files]
    assert len(numbers) == len(set(numbers)), (
        f"duplicate migration numbers in {app}: {files}"
    )
    assert not [f for f in files if re.match(r"\d{4}_auto_", f)], (
        "migrations need descriptive names (--name)"
    )


def test_run_python_migrations_are_reversible():
    for path in ROOT.glob("*/migrations/[0-9]*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "RunPython"
            ):
                assert len(node.args) + len(node.keywords) >= 2, (
                    f"{path.name}: RunPython without a reverse"
                )


def test_no_rule_number_is_a_constant_in_services():
    """The numbers of RULES.md are data (RuleParameter); services must not hard-code
    the well-known ones (30-day signing, 7 working-day challenge window, 10 % additions)."""
    suspicious = re.compile(
        r"\b(timedelta\(days=(7|30|15)\)|0\.1\b|Decimal\(\"0\.10?\"\))"
    )
    rounding = re.compile(r"quantize\(Decimal\(\"0\.1\"\)")
    hits = []
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            # Migrations and the demo seeding (which sets demo dates) are not rules.
            if (
                "migrations" in path.parts
                or "seed" in path.parts
                or path.name == "seeding.py"
            ):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                # A rounding precision (quantize to one decimal) is not a rule.
                line_ = rounding.sub("", line)
                if suspicious.search(line_):
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, hits


def test_openapi_schema_is_committed_and_current(tmp_path):
    # given: the committed schema
    committed = ROOT / "docs" / "api" / "openapi.yaml"
    assert committed.exists(), "run `make schema` and commit docs/api/openapi.yaml"
    # when: it is generated again from the code
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(fresh))
    # then: nothing differs
    assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
        "docs/api/openapi.yaml is stale: run `make schema` and commit it"
    )


@pytest.mark.slow
def test_typed_core_passes_mypy():
    """core/ and every app's services, selectors, permissions, workflows, rules and
    tasks are annotated and checked (STYLE §1.10; the file list is in pyproject.toml)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
