"""The bundled catalogue loads and holds what it promises; updates reload without a deploy."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from velox_vin_intel.packages.catalog import BUNDLED_DIR, CatalogStore, PackageCatalog, load_catalog
from velox_vin_intel.packages.errors import CatalogUnavailable

from tests.services.vin_intel.packages.conftest import edit_json

OEMS = {"toyota", "honda", "ford", "gm", "bmw", "mercedes-benz"}


def test_every_bundled_oem_file_loads_with_ten_models(catalog: PackageCatalog) -> None:
    assert set(catalog.oems) == OEMS
    for oem in catalog.oems.values():
        assert len({m.model for m in oem.models}) >= 10, oem.oem
        assert oem.reviewed_by and oem.version


def test_bundled_codes_and_names_are_unique_per_model(catalog: PackageCatalog) -> None:
    for oem in catalog.oems.values():
        for model in oem.models:
            codes = [c for e in model.entries for c in e.codes]
            keys = [e.key.casefold() for e in model.entries]
            assert len(codes) == len(set(codes)), model.model
            assert len(keys) == len(set(keys)), model.model


def test_well_known_codes_are_where_the_oem_puts_them(catalog: PackageCatalog) -> None:
    def codes(oem: str, model: str) -> dict[str, str]:
        entry = catalog.find_model(catalog.oems[oem], model, 2021)
        assert entry is not None
        return {e.code: e.name for e in entry.entries if e.code}

    assert codes("ford", "F-150")["55A"] == "FX4 Off-Road Package"
    assert codes("bmw", "3 Series")["337"] == "M Sport Package"
    assert codes("bmw", "X5")["ZPP"] == "Premium Package"
    assert codes("mercedes-benz", "C-Class")["P31"] == "AMG Line"
    assert codes("mercedes-benz", "GLC")["P01"] == "Premium Package"
    assert codes("gm", "Silverado")["Z71"] == "Z71 Off-Road Package"


def test_makes_route_to_their_oem_and_models_match_vpic_spellings(catalog: PackageCatalog) -> None:
    gm = catalog.for_make("GMC")
    assert gm is not None and gm.oem == "gm"
    assert catalog.for_make("mercedes-amg") is catalog.oems["mercedes-benz"]
    assert catalog.for_make("Lada") is None
    bmw = catalog.oems["bmw"]
    model = catalog.find_model(bmw, "M340i", 2021)
    assert model is not None and model.model == "3 Series"
    toyota = catalog.oems["toyota"]
    old, new = (catalog.find_model(toyota, "Tacoma", y) for y in (2020, 2024))
    assert old is not None and new is not None and old.years != new.years
    assert catalog.find_model(catalog.oems["gm"], "Sierra", 2021, "Chevrolet") is None


def test_a_duplicate_code_in_one_model_is_refused(catalog_dir: Path) -> None:
    path = catalog_dir / "ford.json"
    data = json.loads(path.read_text())
    entries = data["models"][0]["entries"]
    fx4 = next(e for e in entries if e["code"] == "55A")
    entries.append({**fx4, "name": "Another name"})
    path.write_text(json.dumps(data))
    with pytest.raises(CatalogUnavailable, match="names two entries"):
        load_catalog(catalog_dir)


def test_a_bad_rule_is_refused_with_its_location(catalog_dir: Path) -> None:
    path = catalog_dir / "ford.json"
    data = json.loads(path.read_text())
    data["models"][0]["entries"][0]["evidence"] = [{"kind": "drive", "values": ["6x6"]}]
    path.write_text(json.dumps(data))
    with pytest.raises(CatalogUnavailable, match=r"ford.json: 1 error\(s\), first at models.0"):
        load_catalog(catalog_dir)


def test_versions_cover_every_file(catalog: PackageCatalog) -> None:
    assert set(catalog.versions) == OEMS | {"_defaults"}


def _touch_later(path: Path) -> None:
    """Move the mtime forward so the change is seen even on coarse file systems."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_store_reloads_a_changed_file(catalog_dir: Path) -> None:
    store = CatalogStore(catalog_dir, check_interval=0)
    assert store.versions["ford"] == "2024.11.1"
    edit_json(catalog_dir / "ford.json", version="2025.01.2")
    _touch_later(catalog_dir / "ford.json")
    assert store.get().versions["ford"] == "2025.01.2"
    assert store.last_error is None


def test_store_waits_for_its_check_interval(catalog_dir: Path) -> None:
    store = CatalogStore(catalog_dir, check_interval=3600)
    edit_json(catalog_dir / "ford.json", version="2025.01.2")
    _touch_later(catalog_dir / "ford.json")
    assert store.get().versions["ford"] == "2024.11.1"
    assert store.refresh() is True
    assert store.get().versions["ford"] == "2025.01.2"


def test_store_keeps_the_last_good_catalogue_on_a_broken_file(
    catalog_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = CatalogStore(catalog_dir, check_interval=0)
    good = store.get()
    (catalog_dir / "ford.json").write_text('{"oem": "ford", "models": [')
    with caplog.at_level(logging.ERROR):
        assert store.get() is good
    assert store.last_error is not None and "ford.json" in store.last_error
    assert "keeping the last good one" in caplog.text
    edit_json(catalog_dir / "_defaults.json", version="2025.02.1")
    # Still broken: the ford file is read again with the defaults change and still fails.
    assert store.get() is good
    (catalog_dir / "ford.json").write_text((BUNDLED_DIR / "ford.json").read_text())
    _touch_later(catalog_dir / "ford.json")
    assert store.get().versions["_defaults"] == "2025.02.1"
    assert store.last_error is None


def test_store_picks_up_an_added_oem_file(catalog_dir: Path) -> None:
    store = CatalogStore(catalog_dir, check_interval=0)
    assert "honda" not in store.versions
    (catalog_dir / "honda.json").write_text((BUNDLED_DIR / "honda.json").read_text())
    assert "honda" in store.versions


def test_store_without_a_valid_catalogue_fails_to_start(tmp_path: Path) -> None:
    with pytest.raises(CatalogUnavailable, match=r"_defaults\.json"):
        CatalogStore(tmp_path)
