# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_backfill,
    test_catalogue,
    test_engine_sql,
    test_forecast,
    test_pipeline,
    test_probability,
    test_security,
    test_stage,
    test_stage_history,
    test_tour,
)
