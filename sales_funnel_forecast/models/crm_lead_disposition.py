# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where a prospect stands (contact status), why deals are lost, and who
decides on the customer's side (buying roles)."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import CONTACT_STATUSES, DISQUALIFYING_CATEGORIES, STATUS_RANK
from ..tools.formats import named


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    contact_status = fields.Selection(
        CONTACT_STATUSES,
        default="not_attempted",
        required=True,
        copy=False,
        tracking=True,
        help="Where the prospect stands: calls move it forward by themselves "
        "(attempted, contacted); reps qualify or disqualify it, and a loss "
        "for a reason like wrong person or no response disqualifies it.",
    )
    status_before_disqualified = fields.Selection(
        CONTACT_STATUSES,
        copy=False,
        readonly=True,
        help="The contact status the deal had when it was disqualified, which it takes "
        "back when it is restored.",
    )
    buying_role_ids = fields.One2many(
        "crm.lead.buying.role",
        "lead_id",
        string="Buying Roles",
        help="The customer's people and their part in this decision.",
    )
    has_decision_maker = fields.Boolean(
        string="Decision Maker Known",
        compute="_compute_has_decision_maker",
        store=True,
        help="Someone with a deciding role is known on the customer's side.",
    )

    @api.depends("buying_role_ids.role_id.is_decision_maker")
    def _compute_has_decision_maker(self):
        for lead in self:
            lead.has_decision_maker = any(lead.buying_role_ids.role_id.mapped("is_decision_maker"))

    def _write_multi(self, vals_list):
        result = super()._write_multi(vals_list)
        # The funnel rows of opportunities carry the flag. The buying roles
        # compute it: its change reaches the database here, never through
        # the deal's write (a role line added or changed, a role that stops
        # deciding); after a creation too, which queued the rows already.
        changed = [
            lead.id
            for lead, vals in zip(self, vals_list)
            if "has_decision_maker" in vals and lead.type == "opportunity"
        ]
        if changed:
            # sudo: as in write, the history's queue is not the user's to write
            self.env["crm.lead.stage.history"].sudo()._sff_refresh_reach(changed)
        return result

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        # the merged deals' people and their roles come with them (their
        # rows would go with the deals Odoo deletes), a person once
        # sudo: every role of the merged deals, whoever may read them
        roles = (
            self.env["crm.lead.buying.role"]
            .sudo()
            .search([("lead_id", "in", opportunities.ids)], order="lead_id, sequence, id")
        )
        known = set(self.sudo().buying_role_ids.partner_id.ids)
        moved = self.env["crm.lead.buying.role"].sudo()
        for role in roles:
            if role.partner_id.id not in known:
                known.add(role.partner_id.id)
                moved |= role
        moved.write({"lead_id": self.id})
        # the furthest status of the deals still open among them (a lost
        # lead's disqualification stays its own)
        statuses = [
            lead.contact_status
            for lead in opportunities
            if lead.active and lead.contact_status != "disqualified"
        ]
        furthest = max(statuses, key=STATUS_RANK.get, default=None)
        if furthest and STATUS_RANK[furthest] > STATUS_RANK[self.contact_status or "not_attempted"]:
            self.sudo().contact_status = furthest
        return result

    # ------------------------------------------------------------------
    # Dispositions in one click
    # ------------------------------------------------------------------
    def action_qualify(self):
        self.write({"contact_status": "qualified"})
        return True

    def action_disqualify(self):
        """Disqualifying a prospect closes it as lost: the lost dialog asks
        why."""
        action = self.env["ir.actions.actions"]._for_xml_id("crm.crm_lead_lost_action")
        action["context"] = {
            "default_lead_ids": self.ids,
            "sff_disqualify": True,
            "dialog_size": "medium",
        }
        # the dialog's title
        action["name"] = self.env._("Disqualify")
        return action

    def action_add_customer_contacts(self):
        """The customer company's people, in one click, to give them a role."""
        for lead in self:
            company = lead.partner_id.commercial_partner_id
            if not company:
                raise UserError(self.env._("Set the deal's customer first."))
            people = (company | company.child_ids).filtered(
                lambda partner: partner.type == "contact" and partner.active
            ) - lead.buying_role_ids.partner_id
            self.env["crm.lead.buying.role"].create(
                [{"lead_id": lead.id, "partner_id": partner.id} for partner in people]
            )
        return True

    # ------------------------------------------------------------------
    # Losing a deal
    # ------------------------------------------------------------------
    def _sff_lost_reason_of(self, value):
        """The lost reason that writing ``value`` gives, as Odoo converts
        it: an id, a record or an (id, name) pair; anything else (an id as
        text, a list, as JSON may send them) writes none."""
        field = self._fields["lost_reason_id"]
        return field.convert_to_record(
            field.convert_to_cache(value, self.browse(), validate=False), self.browse()
        )

    def _sff_check_lost_reason(self, reason):
        """Refuse to lose, without a reason, deals whose company asks for one."""
        missing = self.filtered(
            lambda lead: (
                not reason
                and not lead.lost_reason_id
                and (lead.company_id or self.env.company).crm_lost_reason_required
            )
        )
        if len(missing) == 1:
            raise UserError(
                self.env._(
                    "Say why the deal is lost: your company asks for a lost reason (%(deals)s).",
                    deals=missing.name,
                )
            )
        if missing:
            raise UserError(
                self.env._(
                    "Say why the deals are lost: your company asks for a lost reason (%(deals)s).",
                    deals=named(missing, "name"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        lost = leads.filtered(lambda lead: not lead.active and lead.type == "opportunity")
        if lost and not self.env.su:
            # created lost (an import of old deals): the company's rule on
            # lost reasons holds, as for the Lost button
            for lead in lost:
                lead._sff_check_lost_reason(lead.lost_reason_id)
        lost._sff_disqualify_by_reason()
        return leads

    def write(self, vals):
        losing = "active" in vals and not vals["active"]
        if losing and not self.env.su and not self.env.context.get("sff_losing"):
            # archived by a write (an import's Active column, a client's
            # call): the company's rule on lost reasons holds, as for the
            # Lost button and the list's Archive
            self.filtered("active")._sff_check_lost_reason(
                self._sff_lost_reason_of(vals.get("lost_reason_id"))
            )
        # restored (Odoo's Restore clears the lost reason): an open deal is
        # no disqualified prospect
        restored = (
            self.filtered(lambda lead: not lead.active and lead.contact_status == "disqualified")
            if vals.get("active") and "contact_status" not in vals
            else self.browse()
        )
        disqualifying = defaultdict(lambda: self.browse())
        if vals.get("contact_status") == "disqualified":
            # the status each deal had, which a restore gives back (the
            # chatter does not say it where tracking was off: an import)
            for lead in self:
                if lead.contact_status != "disqualified":
                    disqualifying[lead.contact_status] |= lead
        result = super().write(vals)
        for status, leads in disqualifying.items():
            leads.write({"status_before_disqualified": status})
        if losing or vals.get("lost_reason_id"):
            self._sff_disqualify_by_reason()
        if restored:
            restored._sff_status_before_disqualified()
        return result

    def _sff_status_before_disqualified(self):
        """These deals, disqualified, take the contact status they had before
        it: the one kept when they were disqualified, else (disqualified
        before the module kept it) as the chatter tracked it (its labels in
        any language the database has), else contacted (as the install
        counts a deal that went that far)."""
        kept = self.filtered("status_before_disqualified")
        for status in set(kept.mapped("status_before_disqualified")):
            kept.filtered(
                lambda lead, status=status: lead.status_before_disqualified == status
            ).write({"contact_status": status, "status_before_disqualified": False})
        self -= kept
        if not self:
            return
        field = self.env["ir.model.fields"]._get(self._name, "contact_status")
        self.env.cr.execute(
            "SELECT value, name FROM ir_model_fields_selection WHERE field_id = %s", [field.id]
        )
        status_of = {
            label: value
            for value, names in self.env.cr.fetchall()
            for label in (names or {}).values()
        }
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT m.res_id, tv.old_value_char, tv.new_value_char
                 FROM mail_tracking_value tv
                 JOIN mail_message m ON m.id = tv.mail_message_id
                WHERE m.model = %s AND m.res_id = ANY(%s) AND tv.field_id = %s
             ORDER BY m.res_id, m.date DESC, m.id DESC, tv.id DESC""",
            [self._name, self.ids, field.id],
        )
        before = {}
        for lead_id, old, new in self.env.cr.fetchall():
            if lead_id not in before and status_of.get(new) == "disqualified":
                before[lead_id] = status_of.get(old)
        by_status = defaultdict(list)
        for lead in self:
            status = before.get(lead.id)
            by_status[status if status and status != "disqualified" else "contacted"].append(
                lead.id
            )
        for status, ids in by_status.items():
            self.browse(ids).write({"contact_status": status})

    def _sff_disqualify_by_reason(self):
        """Lost deals whose lost reason says the prospect was never one
        (wrong person, no budget...) are disqualified, whatever way they
        were lost."""
        self.filtered(
            lambda lead: (
                not lead.active
                and lead.lost_reason_id.category in DISQUALIFYING_CATEGORIES
                and lead.contact_status != "disqualified"
            )
        ).write({"contact_status": "disqualified"})

    def action_archive(self):
        # archiving a deal loses it (the list's Archive): the company's rule
        # on lost reasons holds there too (action_set_lost checks it with
        # the reason it brings, then archives)
        if not self.env.context.get("sff_losing"):
            self.filtered("active")._sff_check_lost_reason(self.env["crm.lost.reason"])
        return super().action_archive()

    def action_set_lost(self, **additional_values):
        reason = self._sff_lost_reason_of(additional_values.get("lost_reason_id"))
        self._sff_check_lost_reason(reason)
        result = super(CrmLead, self.with_context(sff_losing=True)).action_set_lost(
            **additional_values
        )
        if self.env.context.get("sff_disqualify"):
            self.write({"contact_status": "disqualified"})
        # (a reason that disqualifies: done by the write of the reason)
        return result
