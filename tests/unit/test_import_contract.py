"""The layer contract in pyproject.toml is what `make test` enforces; show that it can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(workdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(workdir)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(workdir / "pyproject.toml")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """The package and its contract, copied where an injected import cannot touch the real tree."""
    shutil.copytree(
        REPO / "hiring_bot",
        tmp_path / "hiring_bot",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contract_names_every_layer_of_the_design() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    flat = [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]
    order = ["cli", "slack", "intake", "domain", "outbox", "db", "config"]
    assert [flat.index(name) for name in order] == sorted(flat.index(name) for name in order)


def test_the_real_tree_keeps_the_contract(package_copy: Path) -> None:
    result = _lint(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "wrong_way"),
    [
        ("domain/stages.py", "import hiring_bot.slack.blocks"),
        ("outbox/__init__.py", "import hiring_bot.domain.audit"),
        ("intake/links.py", "import hiring_bot.bootstrap"),
        ("db/models.py", "import hiring_bot.outbox"),
    ],
)
def test_a_wrong_way_import_breaks_the_contract(
    package_copy: Path, module: str, wrong_way: str
) -> None:
    target = package_copy / "hiring_bot" / module
    target.write_text(target.read_text() + f"\n{wrong_way}  # injected by the test\n")
    result = _lint(package_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
