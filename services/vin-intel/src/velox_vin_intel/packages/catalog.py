"""Loading the package catalogue from a directory of JSON files, and reloading it on change.

Reviewed catalogue updates need no deploy: point ``VIN_INTEL_PACKAGE_CATALOG_DIR`` at a
directory (or use the bundled ``oem_catalog/``), and :class:`CatalogStore` picks up a changed,
added or removed file within ``check_interval`` seconds. A file that fails validation keeps
the last good catalogue in service; the error is logged and exposed as ``last_error``.

Example::

    store = CatalogStore()                # bundled files
    report = identify(facts, catalog=store.get())
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from velox_vin_intel.packages.errors import CatalogUnavailable
from velox_vin_intel.packages.schema import Defaults, ModelEntry, OemCatalog

__all__ = ["BUNDLED_DIR", "DEFAULTS_FILE", "CatalogStore", "PackageCatalog", "load_catalog"]

BUNDLED_DIR = Path(__file__).with_name("oem_catalog")
DEFAULTS_FILE = "_defaults.json"
_log = logging.getLogger(__name__)


def _model_key(name: str) -> str:
    """Models compare without case, spaces or dashes: "3-Series" is "3 Series"."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@dataclass(frozen=True)
class PackageCatalog:
    """A validated catalogue: the shared defaults and one :class:`OemCatalog` per OEM."""

    defaults: Defaults
    oems: Mapping[str, OemCatalog]
    source: str = ""
    _by_make: dict[str, OemCatalog] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for oem in self.oems.values():
            for make in oem.makes:
                other = self._by_make.setdefault(make.casefold(), oem)
                if other is not oem:
                    raise ValueError(f"make {make} is claimed by {other.oem} and {oem.oem}")

    @property
    def versions(self) -> dict[str, str]:
        """The version of every file in service (``_defaults`` included), for the API."""
        return {"_defaults": self.defaults.version} | {k: v.version for k, v in self.oems.items()}

    def for_make(self, make: str | None) -> OemCatalog | None:
        """The OEM catalogue covering ``make`` (e.g. "GMC" -> gm), if any."""
        return self._by_make.get(make.strip().casefold()) if make else None

    def find_model(
        self, oem: OemCatalog, model: str | None, year: int | None, make: str | None = None
    ) -> ModelEntry | None:
        """The model entry named ``model`` (or an alias), the generation covering ``year``."""
        if not model:
            return None
        key = _model_key(model)
        named = [
            m
            for m in oem.models
            if key in {_model_key(n) for n in (m.model, *m.aliases)}
            and (m.make is None or make is None or m.make.casefold() == make.strip().casefold())
        ]
        if year is not None:
            dated = [m for m in named if m.years[0] <= year <= m.years[1]]
            return dated[0] if dated else (named[0] if named else None)
        # Without a year the newest generation is the best guess.
        return max(named, key=lambda m: m.years[1], default=None)


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogUnavailable(f"{path.name}: {exc}") from exc


def _validate(path: Path, model: type[Defaults] | type[OemCatalog]) -> Defaults | OemCatalog:
    try:
        return model.model_validate(_read(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CatalogUnavailable(
            f"{path.name}: {exc.error_count()} error(s), first at {where}: {first['msg']}"
        ) from exc


def load_catalog(directory: Path | None = None) -> PackageCatalog:
    """Load and validate every ``*.json`` of ``directory`` (the bundled one by default)."""
    folder = directory or BUNDLED_DIR
    defaults_path = folder / DEFAULTS_FILE
    if not defaults_path.is_file():
        raise CatalogUnavailable(f"{folder} has no {DEFAULTS_FILE}")
    defaults = _validate(defaults_path, Defaults)
    assert isinstance(defaults, Defaults)
    oems: dict[str, OemCatalog] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == DEFAULTS_FILE:
            continue
        oem = _validate(path, OemCatalog)
        assert isinstance(oem, OemCatalog)
        if oem.oem in oems:
            raise CatalogUnavailable(f"{path.name}: OEM {oem.oem} is defined twice")
        oems[oem.oem] = oem
    if not oems:
        raise CatalogUnavailable(f"{folder} holds no OEM catalogue file")
    try:
        return PackageCatalog(defaults, oems, source=str(folder))
    except ValueError as exc:
        raise CatalogUnavailable(str(exc)) from exc


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a file is edited, added or removed."""
    stamps = []
    for path in sorted(folder.glob("*.json")):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        stamps.append((path.name, st.st_mtime_ns, st.st_size))
    return tuple(stamps)


class CatalogStore:
    """The catalogue in service, reloaded when its files change (checked every few seconds)."""

    def __init__(self, directory: Path | None = None, *, check_interval: float = 5.0) -> None:
        self.directory = directory or BUNDLED_DIR
        self.check_interval = check_interval
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._stamp = _stamp(self.directory)
        self._catalog = load_catalog(self.directory)
        self._checked = time.monotonic()

    @property
    def versions(self) -> dict[str, str]:
        """The versions of the catalogue in service."""
        return self.get().versions

    def get(self) -> PackageCatalog:
        """The current catalogue; looks at the files when ``check_interval`` has passed."""
        if time.monotonic() - self._checked >= self.check_interval:
            self.refresh()
        return self._catalog

    def refresh(self) -> bool:
        """Reload now if a file changed; True when a new catalogue went into service."""
        with self._lock:
            self._checked = time.monotonic()
            stamp = _stamp(self.directory)
            if stamp == self._stamp:
                return False
            self._stamp = stamp
            try:
                catalog = load_catalog(self.directory)
            except CatalogUnavailable as exc:
                self.last_error = exc.message
                _log.error("package catalogue not reloaded, keeping the last good one: %s", exc)
                return False
            self._catalog, self.last_error = catalog, None
            _log.info("package catalogue reloaded: %s", catalog.versions)
            return True
