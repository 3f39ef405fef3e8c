# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

# the states of a quotation that was sent (a confirmed order was, by mail or
# by hand)
SENT_STATES = ("sent", "sale")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Odoo's order date is the quotation's until it is confirmed, then the
    # confirmation's: the sales process counts a quotation when it was sent
    quotation_sent_date = fields.Datetime(
        string="Quotation Sent On",
        readonly=True,
        copy=False,
        help="When the quotation was first sent to the customer (by email or marked as "
        "sent), or confirmed without being sent; it stays when the order is confirmed "
        "or cancelled. The Sales Process report counts the quotation then.",
    )

    # An order linked to a deal moves the deal on when confirmed (as the
    # superuser: a deal handed to a colleague since follows its orders): the
    # link itself is made to a deal the user reads, given in the values or
    # as the context's default.
    @api.model_create_multi
    def create(self, vals_list):
        now = self.env.cr.now()
        vals_list = [
            dict(vals, quotation_sent_date=now)
            if vals.get("state") in SENT_STATES and not vals.get("quotation_sent_date")
            else vals
            for vals in vals_list
        ]
        orders = super().create(vals_list)
        if not self.env.su:
            orders.opportunity_id.check_access("read")
        return orders

    def write(self, vals):
        if vals.get("opportunity_id") and not self.env.su:
            self.env["crm.lead"].browse(vals["opportunity_id"]).check_access("read")
        # sent or confirmed for the first time (Odoo marks a quotation sent
        # without tracking it): dated then, once
        unsent = (
            self.filtered(lambda order: not order.quotation_sent_date)
            if vals.get("state") in SENT_STATES and "quotation_sent_date" not in vals
            else self.browse()
        )
        result = super().write(vals)
        if unsent:
            unsent.write({"quotation_sent_date": self.env.cr.now()})
        return result

    @api.model
    def _sff_fill_quotation_sent_dates(self):
        """The orders of before the install: a quotation was sent at its
        first message to or from the customer (an email sent from the
        order, a reply), or, marked sent or confirmed without one, at its
        order date; a confirmed one at the latest when it was confirmed (its
        order date then); a cancelled one was sent if such a message exists.
        Returns the orders dated."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            UPDATE sale_order o
               SET quotation_sent_date = CASE WHEN o.state = 'sale'
                                              THEN LEAST(f.first, o.date_order)
                                              ELSE COALESCE(f.first, o.date_order) END
              FROM (SELECT so.id,
                           (SELECT MIN(m.date) FROM mail_message m
                             WHERE m.model = 'sale.order' AND m.res_id = so.id
                               AND m.message_type IN ('comment', 'email', 'email_outgoing')
                               AND m.subtype_id = %(discussion)s) AS first
                      FROM sale_order so
                     WHERE so.quotation_sent_date IS NULL
                       AND so.state IN ('sent', 'sale', 'cancel')) f
             WHERE o.id = f.id AND (o.state IN %(sent)s OR f.first IS NOT NULL)
                """,
                sent=SENT_STATES,
                discussion=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            )
        )
        self.invalidate_model(["quotation_sent_date"])
        return self.env.cr.rowcount

    def action_confirm(self):
        result = super().action_confirm()
        self.opportunity_id._sff_follow_documents("order")
        return result


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _sff_more_to_invoice(self):
        """Whether this confirmed order line has something left to invoice,
        now or once delivered: "nothing to invoice" means more may come
        (delivered quantities typed later), unless its deliveries are over
        (with Odoo's inventory: every delivery of the line done or
        cancelled, a backorder cancelled, a return made)."""
        self.ensure_one()
        if self.invoice_status == "to invoice":
            return True
        if self.invoice_status != "no":
            return False
        # move_ids: sale_stock's, when it is installed
        moves = self["move_ids"] if "move_ids" in self._fields else None
        return not moves or any(move.state not in ("done", "cancel") for move in moves)
