"""The labelled evaluation set is well formed and the engine stays above its accuracy floor."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from velox_vin_intel.decoding.rules import YEAR_CODES, check_digit
from velox_vin_intel.packages.catalog import PackageCatalog
from velox_vin_intel.packages.evaluation import EvalSet, evaluate, label_errors, load_eval_set

EVAL_SET = Path(__file__).parents[4] / "bench" / "data" / "vin_packages_eval.json"
FLOOR = 0.8


@pytest.fixture(scope="module")
def eval_set() -> EvalSet:
    return load_eval_set(EVAL_SET)


def test_every_oem_has_at_least_ten_cases_and_some_hard_ones(eval_set: EvalSet) -> None:
    per_oem = Counter(c.oem for c in eval_set.cases)
    assert set(per_oem) == {"toyota", "honda", "ford", "gm", "bmw", "mercedes-benz"}
    assert min(per_oem.values()) >= 10
    assert len(eval_set.cases) >= 60
    assert sum(c.note.startswith("hard:") for c in eval_set.cases) >= 10
    assert len({c.id for c in eval_set.cases}) == len(eval_set.cases)


def test_vins_have_valid_check_digits_and_model_year_characters(eval_set: EvalSet) -> None:
    for case in eval_set.cases:
        vin = case.facts["vin"]
        assert len(vin) == 17 and vin[8] == check_digit(vin), case.id
        assert YEAR_CODES[vin[9]] + 30 == case.facts["model_year"], case.id


def test_every_label_names_a_catalogue_entry(eval_set: EvalSet, catalog: PackageCatalog) -> None:
    assert label_errors(eval_set, catalog) == []


def test_precision_and_recall_stay_above_the_floor(
    eval_set: EvalSet, catalog: PackageCatalog
) -> None:
    report = evaluate(eval_set, catalog)
    assert report.overall.precision >= 0.9 and report.overall.recall >= 0.9
    for oem, score in report.per_oem.items():
        assert score.precision >= FLOOR and score.recall >= FLOOR, (oem, score)
