# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_probability_from_stage = fields.Boolean(
        string="Probability Follows Stage",
        default=True,
        help="When a deal changes stage, its probability becomes the "
        "percentage of the new stage. A probability typed on the deal holds "
        "until its next stage change.",
    )

    def write(self, vals):
        turned_on = self.browse()
        if vals.get("crm_probability_from_stage"):
            turned_on = self.filtered(lambda company: not company.crm_probability_from_stage)
        result = super().write(vals)
        if turned_on:
            # Deals of these companies take their stage percentage again,
            # except those whose probability was typed by a rep.
            self.env["crm.lead"]._sff_align_probability_to_stage(
                company_ids=turned_on.ids, include_automated=True,
            )
        return result
