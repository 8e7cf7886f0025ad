"""Shared helpers for the package identification tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from velox_vin_intel.packages.catalog import BUNDLED_DIR, PackageCatalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> PackageCatalog:
    return load_catalog()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled catalogue (defaults plus Ford)."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    for name in ("_defaults.json", "ford.json"):
        shutil.copy(BUNDLED_DIR / name, folder / name)
    return folder


def edit_json(path: Path, **changes: object) -> None:
    """Rewrite a catalogue file with top-level keys changed."""
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
