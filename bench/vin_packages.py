"""Package identification accuracy: precision and recall per OEM on the labelled set.

Runs every case of ``bench/data/vin_packages_eval.json`` (VIN facts, option codes, sticker
text -> expected trim and packages) through ``identify`` with the bundled catalogue, or the
one in ``VIN_INTEL_PACKAGE_CATALOG_DIR``, and prints micro-averaged precision and recall per
OEM and overall, then the cases with misses. No servers are needed. ``BENCH_STRICT=1`` exits
1 when overall precision or recall falls below ``BENCH_FLOOR`` (default 0.8). Results go to
``bench/results/vin_packages.json``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from velox_vin_intel.packages.catalog import load_catalog
from velox_vin_intel.packages.evaluation import EvalReport, evaluate, load_eval_set

from bench.common import write_results

EVAL_SET = Path(__file__).with_name("data") / "vin_packages_eval.json"
RESULTS = Path(__file__).with_name("results") / "vin_packages.json"


def _table(report: EvalReport) -> list[str]:
    lines = [f"{'OEM':<15}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}"]
    rows = [*sorted(report.per_oem.items()), ("overall", report.overall)]
    for name, s in rows:
        lines.append(f"{name:<15}{s.precision:>10.3f}{s.recall:>8.3f}{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    return lines


def _misses(report: EvalReport) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "missing": sorted(c.missing), "extra": sorted(c.extra)}
        for c in report.cases
        if c.missing or c.extra
    ]


def main() -> int:
    """Run the evaluation set, print the table, write the results."""
    folder = os.environ.get("VIN_INTEL_PACKAGE_CATALOG_DIR")
    catalog = load_catalog(Path(folder) if folder else None)
    eval_set = load_eval_set(EVAL_SET)
    started = time.perf_counter()
    report = evaluate(eval_set, catalog)
    elapsed = time.perf_counter() - started
    print(f"vin packages | {len(eval_set.cases)} cases, catalogue {catalog.versions}")
    print("\n".join(_table(report)))
    misses = _misses(report)
    for miss in misses:
        print(f"  {miss['id']}: missing {miss['missing']} extra {miss['extra']}")
    print(f"  {elapsed / len(eval_set.cases) * 1000:.2f} ms per case")
    write_results(
        RESULTS,
        {
            "eval_set": {
                "path": str(EVAL_SET.name),
                "version": eval_set.version,
                "cases": len(eval_set.cases),
            },
            "catalog_versions": catalog.versions,
            "per_oem": {k: v.as_dict() for k, v in sorted(report.per_oem.items())},
            "overall": report.overall.as_dict(),
            "ms_per_case": round(elapsed / len(eval_set.cases) * 1000, 3),
            "misses": misses,
        },
    )
    floor = float(os.environ.get("BENCH_FLOOR", "0.8"))
    below = min(report.overall.precision, report.overall.recall) < floor
    return 1 if below and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
