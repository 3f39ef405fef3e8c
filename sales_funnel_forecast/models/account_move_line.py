# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..const import SALE_DOCUMENTS


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_plan(self, reconciliation_plan):
        result = super()._reconcile_plan(reconciliation_plan)
        lines = self.browse()
        pending = list(reconciliation_plan)
        while pending:
            item = pending.pop()
            if isinstance(item, models.BaseModel):
                lines |= item
            else:
                pending.extend(item)
        deals = lines.move_id.filtered(lambda move: move.move_type in SALE_DOCUMENTS).opportunity_id
        if deals:
            deals._sff_follow_documents("payment")
        return result
