# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_activity_reports,
    test_backfill,
    test_catalogue,
    test_dispositions,
    test_engine_sql,
    test_export,
    test_forecast,
    test_forecast_report,
    test_funnel_report,
    test_pipeline,
    test_probability,
    test_security,
    test_stage,
    test_stage_history,
    test_stall,
    test_tour,
)
