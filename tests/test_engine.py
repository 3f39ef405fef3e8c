"""Engine arithmetic, without Odoo or a database."""
import importlib.util
from datetime import datetime, timedelta
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "sales_funnel_forecast" / "engine.py"
_SPEC = importlib.util.spec_from_file_location("sff_engine", _PATH)
engine = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(engine)


def test_spread_odoo_like_pipeline():
    assert engine.spread_percentages([False, False, False, True]) == [10.0, 50.0, 90.0, 100.0]


def test_spread_single_open_stage_and_won_in_the_middle():
    assert engine.spread_percentages([False]) == [10.0]
    assert engine.spread_percentages([False, True, False, False, False]) == [10.0, 100.0, 37.0, 63.0, 90.0]
    assert engine.spread_percentages([]) == []


@pytest.mark.parametrize("value, ok", [(0, True), (100, True), (55.5, True), (-0.01, False), (100.01, False), (None, False)])
def test_check_percentage(value, ok):
    assert engine.check_percentage(value) is ok


def test_stage_probability():
    assert engine.stage_probability(35, False) == 35.0
    assert engine.stage_probability(35, True) == 100.0
    assert engine.stage_probability(None, False) == 0.0


def test_weighted_revenue_by_hand():
    assert engine.weighted_revenue(10000, 10, True, False, False) == 1000.0
    assert engine.weighted_revenue(999.99, 60, True, False, False) == 599.99
    assert engine.weighted_revenue(8000, 100, True, True, False) == 0.0     # won
    assert engine.weighted_revenue(7000, 0, False, False, False) == 0.0     # lost
    assert engine.weighted_revenue(9000, 60, True, False, True) == 0.0      # excluded
    assert engine.weighted_revenue(None, 60, True, False, False) == 0.0


def test_durations():
    start = datetime(2026, 1, 1, 12, 0)
    assert engine.duration_days(start, start + timedelta(days=7, hours=12)) == 7.5
    assert engine.duration_days(start, start - timedelta(days=1)) == 0.0
    assert engine.duration_days(None, start) == 0.0
    assert engine.whole_days(start, start + timedelta(days=9, hours=23)) == 9
    assert engine.whole_days(None, start) == 0


def test_regression():
    assert engine.is_regression(5, 3) is True
    assert engine.is_regression(3, 5) is False
    assert engine.is_regression(None, 5) is False
