# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What SPEC.md promises by name (its public contract), checked as a user
meets it."""

from odoo.tests import Form, tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestSpecContract(FunnelCase):
    # ------------------------------------------------------------------
    # utm.source.origin_type: "a deal created with this source gets it as
    # its origin_type (reps can change it)"
    # ------------------------------------------------------------------
    def test_origin_type_chosen_by_the_rep_holds(self):
        """A deal from an outbound source ("spear"): Rita knows it was a
        referral and sets "seed". Typing who referred it, saving the same
        source again (an import of the deals' sheet), or doing both in the
        form, keeps her "seed" (each reverted it to "spear"); a deal
        given another source takes that source's type."""
        spear = self.env["utm.source"].create({"name": "Cold calls", "origin_type": "spear"})
        net = self.env["utm.source"].create({"name": "Web form", "origin_type": "net"})
        deal = self.make_deal("Referred in fact", self.s_new, 1000, source_id=spear.id)
        self.assertEqual(deal.origin_type, "spear")
        deal.with_user(self.rep).origin_type = "seed"
        self.end_request()

        deal.with_user(self.rep).referred = "Paul Partner"
        self.end_request()
        self.assertEqual(deal.origin_type, "seed", "Referred By typed")
        deal.with_user(self.rep).write({"source_id": spear.id, "name": "Referred, imported"})
        self.end_request()
        self.assertEqual(deal.origin_type, "seed", "the same source imported again")

        with Form(deal.with_user(self.rep), view="crm.crm_lead_view_form") as form:
            form.referred = "Paula Partner"
            self.assertEqual(form.origin_type, "seed", "Referred By typed in the form")
        self.end_request()
        self.assertEqual(deal.origin_type, "seed", "the form saved")

        deal.with_user(self.rep).source_id = net
        self.end_request()
        self.assertEqual(deal.origin_type, "net", "another source")
