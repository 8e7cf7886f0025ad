"""The offline vPIC snapshot, loaded into bitset indexes for fast pattern matching.

Source: the ``vin`` package (MIT), which ships a subset of NHTSA's standalone vPIC
database (vPIC 3.45, March 2024) as SQLite: 314,000 VDS/VIS patterns for 823 WMIs with
make, model, series, trim, body class, vehicle type and electrification level. Matching
each pattern as a regular expression (what ``vin`` does, about 500 decodes/s here) is
replaced by one index per WMI, built on first use: for every descriptor position and
character, the set of patterns that accept it, as a Python int used as a bitset. A decode
ANDs at most 14 such ints with the model year's set and walks the surviving bits in vPIC's
priority order (newest ``from_year`` first, then most recently updated).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Final

__all__ = ["ATTRIBUTES", "Snapshot", "WmiInfo", "descriptor"]

ATTRIBUTES: Final = (
    "manufacturer",
    "make",
    "model",
    "series",
    "trim",
    "body_class",
    "electrification_level",
)
_CHARS: Final = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ|"
_LIGHT_TYPES: Final = {"Passenger Car", "Multipurpose Passenger Vehicle (MPV)"}

# Ids, not joins: the names come from small dictionaries loaded once (a join on
# make_model by model_id alone has no index and costs a second for a large WMI).
_PATTERNS_SQL = """
select vds, from_year, to_year, manufacturer_id, model_id, series_id, trim_id,
       body_class_id, electrification_level_id
from pattern
where wmi = ?
order by from_year desc, coalesce(updated, created) desc, id asc
"""
_NAME_TABLES = (
    "manufacturer",
    "make",
    "model",
    "series",
    "trim",
    "body_class",
    "electrification_level",
)

_WMI_SQL = """
select w.code, m.name, mk.name, c.name, vt.name, tt.name
from wmi w
  join manufacturer m on m.id = w.manufacturer_id
  join vehicle_type vt on vt.id = w.vehicle_type_id
  left join make mk on mk.id = w.make_id
  left join truck_type tt on tt.id = w.truck_type_id
  left join country c on c.alpha_2_code = w.country
"""


def descriptor(vin: str) -> str:
    """vPIC's key for pattern matching: positions 4-8, ``|``, positions 10-17."""
    return f"{vin[3:8]}|{vin[9:]}"


def _positions(pattern: str) -> Iterator[str | None]:
    """Each position's accepted characters (``None`` for any) of a vPIC VDS pattern."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == ".":
            yield None
        elif c == "[":
            end = pattern.index("]", i)
            body, chars = pattern[i + 1 : end], list[str]()
            j = 0
            while j < len(body):
                if j + 2 < len(body) and body[j + 1] == "-":
                    lo, hi = ord(body[j]), ord(body[j + 2])
                    chars.extend(chr(x) for x in range(lo, hi + 1))
                    j += 3
                else:
                    chars.append(body[j])
                    j += 1
            i = end
            yield "".join(chars)
        else:
            yield c
        i += 1


@dataclass(frozen=True)
class WmiInfo:
    code: str
    manufacturer: str
    make: str | None
    country: str | None
    vehicle_type: str
    truck_type: str | None

    @property
    def light_vehicle(self) -> bool:
        """Cars, MPVs and light trucks: position 7 settles the model year's cycle."""
        return self.vehicle_type in _LIGHT_TYPES or (
            self.vehicle_type == "Truck" and self.truck_type in (None, "Light Truck")
        )


@dataclass
class _WmiIndex:
    """The patterns of one WMI: their values, year ranges and per-position bitsets."""

    values: list[tuple[str | None, ...]]
    years: list[tuple[int, int]]
    width: int
    positions: list[dict[str, int]]
    by_year: dict[int, int] = field(default_factory=dict)

    def year_mask(self, year: int) -> int:
        mask = self.by_year.get(year)
        if mask is None:
            bits = bytearray((len(self.years) + 8) // 8)
            for i, (lo, hi) in enumerate(self.years):
                if lo <= year <= hi:
                    bits[i >> 3] |= 1 << (i & 7)
            mask = self.by_year[year] = int.from_bytes(bits, "little")
        return mask


def _build(rows: list[tuple[object, ...]], values: list[tuple[str | None, ...]]) -> _WmiIndex:
    size = (len(rows) + 8) // 8
    parsed = [list(_positions(str(row[0]))) for row in rows]
    width = max((len(p) for p in parsed), default=0)
    positions: list[dict[str, int]] = []
    for pos in range(width):
        # Wildcards go to one shared set, OR-ed into every character's set at the end.
        anywhere = bytearray(size)
        bits: dict[str, bytearray] = {}
        for i, spec in enumerate(parsed):
            byte, bit = i >> 3, 1 << (i & 7)
            accepted = spec[pos] if pos < len(spec) else None
            if accepted is None:
                anywhere[byte] |= bit
                continue
            for c in accepted:
                if c not in bits:
                    bits[c] = bytearray(size)
                bits[c][byte] |= bit
        wild = int.from_bytes(anywhere, "little")
        table = dict.fromkeys(_CHARS, wild)
        for c, b in bits.items():
            table[c] = wild | int.from_bytes(b, "little")
        positions.append(table)
    return _WmiIndex(
        values=values,
        years=[(int(str(row[1])), int(str(row[2]))) for row in rows],
        width=width,
        positions=positions,
    )


class Snapshot:
    """Read-only lookups over the bundled vPIC subset; safe to share between threads."""

    def __init__(self, path: str | None = None) -> None:
        source = path or str(resources.files("vin").joinpath("vehicle.db"))
        self._db = sqlite3.connect(f"file:{source}?immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._indexes: dict[str, _WmiIndex] = {}
        self.wmis: dict[str, WmiInfo] = {
            str(r[0]): WmiInfo(*(None if v is None else str(v) for v in r))  # type: ignore[arg-type]
            for r in self._db.execute(_WMI_SQL)
        }
        self._names = {
            table: dict(self._db.execute(f"select id, name from {table}"))  # noqa: S608
            for table in _NAME_TABLES
        }
        self._make_of_model = dict(self._db.execute("select model_id, make_id from make_model"))
        version = self._db.execute("select version, released from vpic_version").fetchone()
        self.version = f"vPIC {version[0]} ({version[1]})" if version else "vPIC (unknown)"

    def _values(self, row: tuple[object, ...]) -> tuple[str | None, ...]:
        """A pattern row's names in :data:`ATTRIBUTES` order."""
        names = self._names
        _, _, _, manufacturer, model, series, trim, body, electric = row
        make = self._make_of_model.get(model)
        return (
            names["manufacturer"].get(manufacturer),
            names["make"].get(make),
            names["model"].get(model),
            names["series"].get(series),
            names["trim"].get(trim),
            names["body_class"].get(body),
            names["electrification_level"].get(electric),
        )

    def wmi(self, vin: str) -> WmiInfo | None:
        """The WMI record: six characters (positions 1-3 and 12-14) for small makers."""
        if vin[2] == "9":
            info = self.wmis.get(vin[:3] + vin[11:14])
            if info is not None:
                return info
        return self.wmis.get(vin[:3])

    def _index(self, code: str) -> _WmiIndex:
        index = self._indexes.get(code)
        if index is None:
            with self._lock:
                index = self._indexes.get(code)
                if index is None:
                    rows = self._db.execute(_PATTERNS_SQL, (code,)).fetchall()
                    index = self._indexes[code] = _build(rows, [self._values(r) for r in rows])
        return index

    def warm(self) -> int:
        """Build every WMI's index now (a service start or a benchmark); the count built."""
        for code in self.wmis:
            self._index(code)
        return len(self._indexes)

    def match(self, code: str, vin: str, year: int) -> dict[str, str]:
        """The attributes of the patterns that match, the first (best) value of each."""
        index = self._index(code)
        mask = index.year_mask(year)
        key = descriptor(vin)
        for pos in range(index.width):
            if not mask:
                return {}
            mask &= index.positions[pos].get(key[pos], 0)
        found: dict[str, str] = {}
        values = index.values
        while mask and len(found) < len(ATTRIBUTES):
            low = mask & -mask
            row = values[low.bit_length() - 1]
            for name, value in zip(ATTRIBUTES, row, strict=True):
                if value is not None and name not in found:
                    found[name] = value
            mask ^= low
        return found
