# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytz

from odoo import api, models
from odoo.exceptions import ValidationError

from ..const import TZ_PARAM


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.constrains("key", "value")
    def _check_sff_funnel_summary_tz(self):
        # the reports' SQL reads this parameter as a time zone: a name
        # PostgreSQL does not know would break every funnel query (the
        # settings page offers the list; this refuses what RPC or an import
        # would write around it)
        for param in self:
            if param.key == TZ_PARAM and param.value not in pytz.all_timezones_set:
                raise ValidationError(
                    self.env._(
                        '"%(value)s" is not a time zone the funnel\'s monthly totals can '
                        "use: choose one in the CRM settings (Funnel Totals Time Zone).",
                        value=param.value,
                    )
                )

    def unlink(self):
        # the setting deleted (System Parameters, or emptied over RPC): the
        # reports' SQL would read UTC months where the totals read the
        # administrator's zone; the zone in force stays written (as the
        # settings page keeps it when emptied)
        tz = (
            self.env["crm.funnel.summary"]._sff_tz()
            if any(param.key == TZ_PARAM for param in self)
            else None
        )
        result = super().unlink()
        if tz:
            self.set_param(TZ_PARAM, tz)
        return result
