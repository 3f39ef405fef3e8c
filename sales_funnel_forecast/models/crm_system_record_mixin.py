# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError


class CrmSystemRecordMixin(models.AbstractModel):
    """Records the module writes from the deals (stays, versions,
    snapshots): nobody creates or edits them by hand, the system does
    (``sudo``, or SQL). Each model may say why in its own words
    (``_sff_manual_change_message``)."""

    _name = "crm.system.record.mixin"
    _description = "Records Written from the Deals"

    def _sff_manual_change_message(self):
        return self.env._(
            "%(records)s are written from the deals; they cannot be created or edited by hand.",
            # the model's name in the user's language
            records=self.env["ir.model"]._get(self._name).name,
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._sff_refuse_manual_change()
        return super().create(vals_list)

    def write(self, vals):
        self._sff_refuse_manual_change()
        return super().write(vals)

    def _sff_refuse_manual_change(self):
        if not self.env.su:
            raise AccessError(self._sff_manual_change_message())
