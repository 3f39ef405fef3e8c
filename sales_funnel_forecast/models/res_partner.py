# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

PARTNER_STATUSES = [("active", "Active customer"), ("inactive", "Inactive customer")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    funnel_status = fields.Selection(
        PARTNER_STATUSES,
        string="Customer Status",
        groups="sales_team.group_sale_salesman",
        compute="_compute_funnel_status",
        search="_search_funnel_status",
        help="Inactive: every deal with this customer is lost or stalled. "
        "Empty when it has no deal.",
    )
    funnel_inactive_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Inactive Because",
        groups="sales_team.group_sale_salesman",
        compute="_compute_funnel_status",
        help="The lost reason of the customer's latest deal.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "tz" in vals:
            # the calls of their users count in the days of their time zone
            # sudo: the users of these contacts, whoever changes them
            users = self.sudo().with_context(active_test=False).user_ids
            if users:
                self.env["crm.lead.call.day"]._sff_recount_users(users.ids)
                Call = self.env["crm.lead.call"]
                Call._sff_fill_days(SQL("c.user_id = ANY(%s)", users.ids))
                Call.invalidate_model(["day"])
        return result

    @api.ondelete(at_uninstall=False)
    def _sff_unlink_buying_roles(self):
        # a deleted contact's buying roles go with it through the ORM (the
        # database would drop them unseen): each deal's decision maker flag
        # and funnel rows follow
        # sudo: the roles on every deal, not only those the user reads
        self.env["crm.lead.buying.role"].sudo().search([("partner_id", "in", self.ids)]).unlink()

    @api.model
    def _sff_status_query(self):
        """SQL: one row per customer of an opportunity, its status (active
        while one of its deals is open and not stalled, or won) and the lost
        reason of its latest deal, from the deals the user may read (their
        record rules and companies)."""
        readable = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            ._search([("type", "=", "opportunity"), ("partner_id", "!=", False)])
        )
        return SQL(
            """
            SELECT l.partner_id,
                   CASE WHEN bool_or(l.active AND NOT COALESCE(l.is_stalled, FALSE))
                        THEN 'active' ELSE 'inactive' END AS status,
                   (array_agg(l.lost_reason_id ORDER BY COALESCE(l.date_closed, l.create_date) DESC,
                              l.id DESC))[1] AS lost_reason_id
              FROM crm_lead l
             WHERE l.partner_id IS NOT NULL AND l.type = 'opportunity' AND l.id IN %s
          GROUP BY l.partner_id
            """,
            readable.subselect(),
        )

    @api.model
    def _sff_status_fields(self):
        """The deals' fields ``_sff_status_query`` reads."""
        return ["partner_id", "active", "is_stalled", "type", "lost_reason_id", "date_closed"]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_funnel_status(self):
        self.env["crm.lead"].flush_model(self._sff_status_fields())
        ids = [partner_id for partner_id in self.ids if partner_id]
        found = {}
        if ids:
            self.env.cr.execute(
                SQL(
                    "SELECT partner_id, status, lost_reason_id FROM (%s) s WHERE s.partner_id = ANY(%s)",
                    self._sff_status_query(),
                    ids,
                )
            )
            found = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for partner in self:
            status, reason_id = found.get(partner.id, (False, False))
            partner.funnel_status = status
            partner.funnel_inactive_reason_id = reason_id if status == "inactive" else False

    def _search_funnel_status(self, operator, value):
        if operator not in ("=", "!=") or value not in ("active", "inactive", False):
            raise NotImplementedError(self.env._("Unsupported search on customer status."))
        self.env["crm.lead"].flush_model(self._sff_status_fields())
        matching = SQL(
            "(SELECT partner_id FROM (%s) s WHERE s.status = %s)",
            self._sff_status_query(),
            value or "none",
        )
        if value is False:
            matching = SQL("(SELECT partner_id FROM (%s) s)", self._sff_status_query())
            return [("id", "not in" if operator == "=" else "in", matching)]
        return [("id", "in" if operator == "=" else "not in", matching)]
