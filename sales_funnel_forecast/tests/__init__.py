# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import (
    test_backfill,
    test_catalogue,
    test_forecast,
    test_probability,
    test_security,
    test_stage,
    test_stage_history,
    test_tour,
)
