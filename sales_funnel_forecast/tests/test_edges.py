# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the latest reading of the change found at its edges: a February
compared with a leap year's, a company's currency changed, snapshots kept
across a time zone change, a split plan by quarters, a product filter
negated, an upgrade that rounds and reads the snapshots again."""

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from .. import engine
from ..const import TZ_PARAM
from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestEdgesOfTheChange(FunnelCase):
    # ------------------------------------------------------------------
    # comparison_bounds last_year
    # ------------------------------------------------------------------
    def test_february_vs_february_of_a_leap_year(self):
        """February 2025 compared with the same month last year: all of
        February 2024, 29 days (as before the change), not February 1-28
        2024. A deal created on February 29, 2024 counts in it."""
        self.assertEqual(
            engine.comparison_bounds(date(2025, 2, 1), date(2025, 3, 1), "last_year"),
            (date(2024, 2, 1), date(2024, 3, 1)),
        )

    def test_dashboard_february_last_year_counts_leap_day(self):
        """The dashboard's 'this month' in February 2025 compared with last
        year: the deal created on February 29, 2024 is in the comparison."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "UTC")
        self.set_now(datetime(2024, 2, 29, 12))
        self.make_deal("Leap day", self.s_new, 1000)
        self.end_request()
        self.set_now(datetime(2025, 2, 10, 12))
        self.make_deal("This year", self.s_new, 1000)
        self.end_request()
        data = self.env["crm.funnel.dashboard"]._sff_report_data(
            team_id=self.team.id,
            period="custom",
            date_from="2025-02-01",
            date_to="2025-03-01",
            compare="last_year",
        )
        [funnel] = data["funnels"] or [{"stages": []}]
        first = [row for row in funnel["stages"] if row["stage_id"] == self.s_new.id]
        self.assertEqual(
            (data["compare_from"], data["compare_to"], first and first[0]["compare_reached"]),
            ("2024-02-01", "2024-03-01", 1),
        )

    # ------------------------------------------------------------------
    # amounts to the currency's decimals
    # ------------------------------------------------------------------
    def test_company_currency_change_rounds_again(self):
        """A company in KWD (3 decimals) with a deal of 1.235 at 50 %:
        0.618. The company's currency becomes USD (no accounting entry
        yet, Odoo allows it): the deal's weighted forecast is to the cent
        now, 0.62, as the SQL twin (a stage percentage's refresh) gives."""
        _currency, company, team, stage = self.currency_team("KWD")
        deal = self.company_deal("Fils", company, team, stage, 1.235)
        self.env.flush_all()
        self.assertAlmostEqual(deal.forecast_revenue, 0.618, places=3)
        company.currency_id = self.env.ref("base.USD")
        self.env.flush_all()
        orm = deal.forecast_revenue
        self.env["crm.lead"]._sff_refresh_weighted_amounts([deal.id])
        self.env.invalidate_all()
        self.assertEqual((orm, deal.forecast_revenue), (0.62, 0.62))

    # ------------------------------------------------------------------
    # the time zone change taking the snapshots again
    # ------------------------------------------------------------------
    def test_timezone_change_keeps_old_snapshots(self):
        """Weekly snapshots older than the 24 months the job fills (a
        database in use for three years) and one taken by hand on a
        Wednesday: a change of the funnel totals' time zone has the job
        take them again, not lose them."""
        Snapshot = self.env["crm.pipeline.snapshot"]
        today = date.today()
        old = today - relativedelta(months=30)
        old -= timedelta(days=old.weekday())  # a Monday (the weekly day)
        by_hand = today - timedelta(days=(today.weekday() - 2) % 7 or 7)  # a Wednesday
        Snapshot._sff_take([old, by_hand])
        self.env["res.config.settings"].create({"sff_funnel_summary_tz": "Asia/Tokyo"}).execute()
        for _run in range(20):
            _written, remaining = Snapshot._sff_take_batch(500)
            if not remaining:
                break
        self.env.cr.execute(
            "SELECT date_snapshot FROM crm_pipeline_snapshot WHERE date_snapshot = ANY(%s)",
            [[old, by_hand]],
        )
        self.assertEqual(sorted({row[0] for row in self.env.cr.fetchall()}), [old, by_hand])

    # ------------------------------------------------------------------
    # report screens: Targets and Actuals' filters
    # ------------------------------------------------------------------
    def period_search_domain(self, active):
        """The domain the web client searches crm.target.plan.period with
        when the filters named in ``active`` are on: filters between two
        separators ORed, the groups ANDed (Odoo's search model)."""
        from lxml import etree

        from .common import filters_domain

        arch = etree.fromstring(
            self.env.ref(
                "sales_funnel_forecast.crm_target_plan_period_view_search"
            ).get_combined_arch()
        )
        return filters_domain(arch, lambda node: node.get("name") in active)

    def test_targets_and_actuals_quarters_of_a_split_plan(self):
        """A team plan of 120,000 split between two salespeople. Targets
        and Actuals opens on Months + Not Split; the manager switches Months
        off and Quarters on (Not Split left on, as it opened): the quarters'
        targets add up to 120,000, the team's target once, and the lines
        are quarters only."""
        from odoo import Command

        from .common import make_plan

        self.team.member_ids = [Command.link(self.rep.id), Command.link(self.other_rep.id)]
        plan = make_plan(self.env, self.team)
        self.env["crm.target.plan.split"].create({"plan_id": plan.id}).action_split()
        Period = self.env["crm.target.plan.period"].with_user(self.manager)
        domain = self.period_search_domain({"not_split", "quarters"}) + [
            ("team_id", "=", self.team.id)
        ]
        rows = Period._read_group(domain, ["period_type"], ["revenue_target:sum"])
        self.assertEqual(
            {period_type: round(total, 2) for period_type, total in rows},
            {"quarter": 120000.0},
        )

    # ------------------------------------------------------------------
    # report screens: a product typed by name, negated
    # ------------------------------------------------------------------
    def test_product_name_not_ilike(self):
        """The custom filter "Product does not contain Review Desk" (the
        search bar's name path, negated): the deal quoted a Review Desk and a
        chair is not listed; the deal quoted only a chair, and the deal quoted
        nothing, are (a many2one's negative: no such product)."""
        from odoo import Command

        partner = self.env["res.partner"].create({"name": "Review Customer"})
        desk = self.env["product.product"].create({"name": "Review Desk"})
        chair = self.env["product.product"].create({"name": "Review Chair"})
        both = self.make_deal("Desk and chair", self.s_qualified, 1000, partner_id=partner.id)
        chair_only = self.make_deal("Chair only", self.s_qualified, 1000, partner_id=partner.id)
        nothing = self.make_deal("Nothing quoted", self.s_qualified, 1000, partner_id=partner.id)
        for deal, products in ((both, desk | chair), (chair_only, chair)):
            self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "opportunity_id": deal.id,
                    "order_line": [Command.create({"product_id": p.id}) for p in products],
                }
            )
        self.env.flush_all()
        Report = self.env["crm.funnel.report"].with_user(self.manager)
        found = Report.search(
            [("product_id", "not ilike", "Review Desk"), ("team_id", "=", self.team.id)]
        ).lead_id
        self.assertEqual(
            sorted(found.mapped("name")), sorted((chair_only | nothing).mapped("name"))
        )

    # ------------------------------------------------------------------
    # upgrade of an existing database (18.0.1.17.0 -> 18.0.1.18.0)
    # ------------------------------------------------------------------
    def test_upgrade_rounds_existing_deals_to_their_currency(self):
        """A database installed before: a JPY company's deal of 1,000 at
        33.33 % holds 333.33 (the install's SQL rounded every deal to the
        cent). The upgrade to 18.0.1.18.0 (its script, then the end of any
        upgrade) leaves it 333 JPY, as a new deal has it."""
        from odoo.modules.migration import load_script

        _currency, company, team, stage = self.currency_team("JPY")
        stage.forecast_probability = 33.33
        deal = self.company_deal("Yen", company, team, stage, 1000)
        self.env.flush_all()
        # as the install of 18.0.1.17.0 wrote it (engine_sql: ROUND(.., 2))
        self.env.cr.execute(
            "UPDATE crm_lead SET forecast_revenue = 333.33, pipeline_amount = 333.33 WHERE id = %s",
            [deal.id],
        )
        for path, name in (
            ("sales_funnel_forecast/migrations/18.0.1.18.0/post-migrate.py", "post_migrate"),
            ("sales_funnel_forecast/migrations/0.0.0/post-migrate.py", "end_migrate"),
        ):
            load_script(path, name).migrate(self.env.cr, "18.0.1.17.0")
        self.env.invalidate_all()
        self.assertEqual(deal.forecast_revenue, 333.0)

    def early_bird_in_tokyo(self):
        """Totals in Tokyo; a deal created at 05:00 Tokyo on this month's
        1st (20:00 UTC the day before). Returns that 1st."""
        self.env["ir.config_parameter"].sudo().set_param(TZ_PARAM, "Asia/Tokyo")
        first = date.today().replace(day=1)
        self.set_now(
            datetime.combine(first - timedelta(days=1), datetime.min.time()).replace(hour=20)
        )
        self.make_deal("Early bird", self.s_new, 1000)
        self.end_request()
        return first

    def snapshot_deals(self, day):
        """The deals of the team's snapshot of ``day``."""
        self.env.cr.execute(
            """SELECT COALESCE(SUM(deal_count), 0) FROM crm_pipeline_snapshot
                WHERE date_snapshot = %s AND team_id = %s""",
            [day, self.team.id],
        )
        return self.env.cr.fetchone()[0]

    def test_upgrade_takes_snapshots_again_at_local_midnight(self):
        """Funnel totals in Tokyo. A deal created at 20:00 UTC on last
        month's last day (05:00 Tokyo on this month's 1st). Before the
        upgrade, this month's 1st snapshot read the pipeline at midnight
        UTC and holds it; after the upgrade the snapshots read it at
        midnight Tokyo (as a time zone change has them taken again), so
        this month's 1st holds no such deal."""
        from odoo.modules.migration import load_script

        from ..models import crm_pipeline_snapshot
        from ..tools.days import day_start as real_day_start

        first = self.early_bird_in_tokyo()
        Snapshot = self.env["crm.pipeline.snapshot"]
        # the snapshot as 18.0.1.17.0 took it: at the day's first instant, UTC
        self.patch(
            crm_pipeline_snapshot,
            "day_start",
            lambda env, day: datetime.combine(day, datetime.min.time()),
        )
        Snapshot._sff_take([first])
        self.patch(crm_pipeline_snapshot, "day_start", real_day_start)
        for path, name in (
            ("sales_funnel_forecast/migrations/18.0.1.18.0/post-migrate.py", "post_migrate"),
            ("sales_funnel_forecast/migrations/0.0.0/post-migrate.py", "end_migrate"),
        ):
            load_script(path, name).migrate(self.env.cr, "18.0.1.17.0")
        for _run in range(20):
            _written, remaining = Snapshot._sff_take_batch(500)
            if not remaining:
                break
        self.assertEqual(self.snapshot_deals(first), 0)

    def test_local_midnight_snapshot_without_deal(self):
        """Taken by today's code, this month's 1st in Tokyo holds no deal
        created at 05:00 Tokyo that day."""
        first = self.early_bird_in_tokyo()
        self.env["crm.pipeline.snapshot"]._sff_take([first])
        self.assertEqual(self.snapshot_deals(first), 0)
