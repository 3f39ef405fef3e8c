# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.tests import TransactionCase, new_test_user

from ..models.crm_lead_forecast_version import MOMENT_SETTING


def company_user(env, login, name, groups, company):
    """A user of ``company`` only, in ``groups`` (comma-separated xml ids);
    given several companies, a user of those, the first the current one."""
    return new_test_user(
        env,
        login=login,
        name=name,
        groups=groups,
        company_id=company[:1].id,
        company_ids=company.ids,
    )


def team_and_deal(env, name, **values):
    """A team of its own and an opportunity in it in Odoo's first stage,
    both named ``name``: for tests that commit in cursors of their own,
    away from the deals of the other tests."""
    team = env["crm.team"].create({"name": name})
    deal = env["crm.lead"].create(
        {
            "name": name,
            "type": "opportunity",
            "team_id": team.id,
            "stage_id": env.ref("crm.stage_lead1").id,
            **values,
        }
    )
    return team, deal


class FunnelCase(TransactionCase):
    """A team with its own four-stage pipeline (10 / 30 / 60 / won) and a
    clock the tests move by hand (the module stamps history with the
    transaction time, as Odoo stamps stage updates)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.crm_probability_from_stage = True
        cls.rep = new_test_user(
            cls.env,
            login="sff_rep",
            groups="sales_team.group_sale_salesman",
            name="Rita Rep",
        )
        cls.other_rep = new_test_user(
            cls.env,
            login="sff_other_rep",
            groups="sales_team.group_sale_salesman",
            name="Otto Rep",
        )
        cls.manager = new_test_user(
            cls.env,
            login="sff_manager",
            groups="sales_team.group_sale_manager",
            name="Mona Manager",
        )
        cls.team = cls.env["crm.team"].create({"name": "Funnel Test Team"})
        Stage = cls.env["crm.stage"]
        cls.s_new = Stage.create(
            {
                "name": "T-Prospect",
                "sequence": 901,
                "forecast_probability": 10,
                "team_id": cls.team.id,
            }
        )
        cls.s_qualified = Stage.create(
            {
                "name": "T-Qualified",
                "sequence": 902,
                "forecast_probability": 30,
                "team_id": cls.team.id,
            }
        )
        cls.s_proposal = Stage.create(
            {
                "name": "T-Proposal",
                "sequence": 903,
                "forecast_probability": 60,
                "team_id": cls.team.id,
            }
        )
        cls.s_won = Stage.create(
            {"name": "T-Won", "sequence": 904, "is_won": True, "team_id": cls.team.id}
        )
        cls.t0 = datetime(2026, 3, 2, 9, 0, 0)

    def set_now(self, when):
        """Make the transaction's clock read ``when``: the clock of the
        module's Python code, and of the versions the database writes (the
        deals' pending changes are written first, at the time before)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT set_config(%s, %s, TRUE)", [MOMENT_SETTING, when.isoformat(" ")]
        )
        self.patch(type(self.env.cr), "now", lambda cr: when)

    def end_request(self):
        """What the end of a request does before its commit: pending
        changes written, the pre-commit hooks run (the history's queue);
        nothing kept in memory for the next one."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def track(self, deal, values, days):
        """Write ``values`` on the deal as a user would, let Odoo track the
        change in the chatter, and date the tracking message ``days`` after
        t0."""
        self.env.cr.execute(
            "SELECT COALESCE(MAX(id), 0) FROM mail_message WHERE model = 'crm.lead' AND res_id = %s",
            [deal.id],
        )
        last = self.env.cr.fetchone()[0]
        deal.write(values)
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute(
            """UPDATE mail_message SET date = %s
                WHERE model = 'crm.lead' AND res_id = %s AND id > %s
                  AND id IN (SELECT mail_message_id FROM mail_tracking_value)
            RETURNING id""",
            [self.day(days), deal.id, last],
        )
        self.assertTrue(self.env.cr.fetchall(), f"Odoo tracked {values}")

    def created(self, deal, days=0):
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", [self.day(days), deal.id]
        )

    def day(self, days, hours=0):
        return self.t0 + timedelta(days=days, hours=hours)

    def import_deals(self, column, values):
        """Deals as an import of a spreadsheet makes them, in the team's
        qualified stage at 1,000: one per value of ``column``."""
        Lead = self.env["crm.lead"]
        result = Lead.load(
            ["name", "type", "team_id/.id", "stage_id/.id", "expected_revenue", column],
            [
                [
                    f"Imported {chr(ord('A') + index)}",
                    "opportunity",
                    str(self.team.id),
                    str(self.s_qualified.id),
                    "1000",
                    value,
                ]
                for index, value in enumerate(values)
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        return Lead.browse(result["ids"])

    def make_deal(self, name, stage, revenue=0.0, **values):
        return self.env["crm.lead"].create(
            dict(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "stage_id": stage.id,
                    "expected_revenue": revenue,
                    "user_id": self.rep.id,
                },
                **values,
            )
        )

    def stays(self, deal):
        """The deal's stays, oldest first, as (stage, previous stage, date in,
        date out) tuples."""
        return [
            (row.stage_id, row.previous_stage_id, row.date_in, row.date_out)
            for row in deal.stage_history_ids.sorted(lambda row: (row.date_in, row.id))
        ]

    def open_stays(self, deals):
        return deals.stage_history_ids.filtered(lambda row: not row.date_out)
