# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import res_config_settings
from . import crm_stage
from . import crm_stage_catalogue
from . import crm_lead_stage_history
from . import crm_lead
from . import crm_lead_demo
