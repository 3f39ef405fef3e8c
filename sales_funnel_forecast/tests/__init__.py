# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_stage
from . import test_probability
from . import test_forecast
from . import test_stage_history
from . import test_backfill
from . import test_catalogue
from . import test_security
from . import test_tour
