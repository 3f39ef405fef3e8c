# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rules that exist in Python (engine.py) and in SQL (engine_sql.py)
give the same figures."""

import random
from datetime import datetime, timedelta

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from .. import engine, engine_sql


@tagged("post_install", "-at_install")
class TestEngineParity(TransactionCase):
    def sql_values(self, expression, rows, columns):
        """Evaluate ``expression`` over ``rows`` given as a VALUES list whose
        columns are named ``columns`` (alias ``v``)."""
        values = SQL(", ").join(
            SQL("(%s)", SQL(", ").join(SQL("%s", value) for value in row)) for row in rows
        )
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (VALUES %s) AS v(%s)",
                expression,
                values,
                SQL(", ").join(SQL.identifier(column) for column in columns),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_stage_probability(self):
        rows = [(False, 35.5), (True, 80.0), (False, None), (None, 12.0)]
        got = self.sql_values(
            engine_sql.stage_probability("v"), rows, ["is_won", "forecast_probability"]
        )
        self.assertEqual(got, [engine.stage_probability(pct, won) for won, pct in rows])

    def test_forecast_categories(self):
        rows = [
            (False, 0.0),
            (False, 39.99),
            (False, 40.0),
            (False, 69.99),
            (False, 70.0),
            (True, 100.0),
            (None, None),
            (False, None),
        ]
        got = self.sql_values(
            engine_sql.stage_forecast_category(SQL("v.pct::numeric"), SQL("v.won::bool")),
            rows,
            ["won", "pct"],
        )
        self.assertEqual(got, [engine.stage_forecast_category(pct, won) for won, pct in rows])
        rows = [
            (active, won, excluded, chosen, stage)
            for active in (True, False)
            for won in (True, False)
            for excluded in (True, False)
            for chosen in (None, "commit", "omitted", "closed")
            for stage in (None, "best_case", "closed")
        ]
        got = self.sql_values(
            engine_sql.deal_forecast_category(
                SQL("v.active::bool"),
                SQL("v.won::bool"),
                SQL("v.excluded::bool"),
                SQL("v.chosen::varchar"),
                SQL("v.stage::varchar"),
            ),
            rows,
            ["active", "won", "excluded", "chosen", "stage"],
        )
        self.assertEqual(got, [engine.deal_forecast_category(*row) for row in rows])

    def test_stage_order(self):
        """The SQL order of stages (the funnel rows, "moved back") is the
        kanban's: sequence, then name, then id, an empty sequence last."""
        Stage = self.env["crm.stage"]
        stages = Stage.create(
            [
                {"name": name, "sequence": sequence}
                for name, sequence in (
                    ("Order b", 10),
                    ("Order a", 10),
                    ("Order a", 10),
                    ("Order z", 9),
                    ("Order c", 11),
                    ("Order nothing", 0),
                    ("order lower", 10),
                )
            ]
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_stage SET sequence = NULL WHERE id = %s", [stages[5].id])
        stages.invalidate_recordset(["sequence"])
        kanban = Stage.search([("id", "in", stages.ids)])
        self.assertEqual(stages._sff_sorted(), kanban)
        self.env.cr.execute(
            SQL(
                """SELECT a.id, b.id, %s FROM crm_stage a, crm_stage b
                WHERE a.id = ANY(%s) AND b.id = ANY(%s)""",
                engine_sql.stage_before("a", "b"),
                stages.ids,
                stages.ids,
            )
        )
        position = {stage.id: index for index, stage in enumerate(kanban)}
        for first, second, before in self.env.cr.fetchall():
            self.assertEqual(before, position[first] < position[second], (first, second))

    def test_days_between(self):
        start = datetime(2026, 3, 29, 0, 30)  # a daylight-saving weekend in Europe
        rows = [
            (start, start + timedelta(days=d, hours=h, minutes=m))
            for d, h, m in ((0, 0, 0), (1, 0, 0), (2, 12, 0), (0, 23, 59), (40, 1, 7), (-3, 0, 0))
        ]
        got = self.sql_values(
            engine_sql.days_between(SQL("v.date_in::timestamp"), SQL("v.date_out::timestamp")),
            rows,
            ["date_in", "date_out"],
        )
        for value, (date_in, date_out) in zip(got, rows):
            self.assertAlmostEqual(value, engine.duration_days(date_in, date_out), places=9)

    def test_stall_due(self):
        """The job stalls an open stay when its due moment is behind now
        (``stall_due < now``): for every stage rule and time in the stage,
        exactly when ``engine.is_stalled`` says so; never in a won stage or
        one without a rule (no due moment at all)."""
        since = datetime(2026, 3, 28, 22, 0)  # over a daylight-saving weekend
        rows = []
        for stall_days in (None, 0, 1, 3, 10):
            for is_won in (False, True):
                for hours in (0, 23, 24, 25, 71, 72, 73, 239, 240, 241, 2400):
                    rows.append((since, since + timedelta(hours=hours), stall_days, is_won))
        got = self.sql_values(
            SQL(
                "COALESCE(%s < v.now::timestamp, FALSE)",
                engine_sql.stall_due(SQL("v.since::timestamp"), "v"),
            ),
            rows,
            ["since", "now", "stall_days", "is_won"],
        )
        expected = [
            not is_won and engine.is_stalled(engine.duration_days(start, now), stall_days)
            for start, now, stall_days, is_won in rows
        ]
        self.assertEqual(got, expected)
        # by hand, open stages only: 1 day stalls after 25 h and the 7 times
        # beyond (8), 3 days after 73 h and beyond (5), 10 days after 241 h
        # and 2,400 h (2)
        self.assertEqual(sum(expected), 8 + 5 + 2)

    def test_money_rounding_and_forecast(self):
        rng = random.Random(7)
        rows = [
            (0.25, 50.0, True, False, False),  # 0.125: half a cent
            (1000.05, 50.0, True, False, False),  # 500.025
            (999.99, 60.0, True, False, False),
            (0.1, 30.0, True, False, False),
            (8000.0, 100.0, True, True, False),  # won
            (7000.0, 0.0, False, False, False),  # lost
            (9000.0, 60.0, True, False, True),  # out of the forecast
            (None, 60.0, True, False, False),
            (-250.05, 50.0, True, False, False),  # a negative amount rounds away from zero too
        ]
        rows += [
            (
                round(rng.uniform(0, 200000), 2),
                float(rng.choice([0, 1, 2.5, 5, 12.5, 33.33, 50, 85, 99])),
                rng.random() > 0.2,
                rng.random() > 0.8,
                rng.random() > 0.9,
            )
            for _i in range(400)
        ]
        columns = ["expected", "probability", "active", "won", "excluded"]
        args = [
            SQL("v.expected::numeric"),
            SQL("v.probability::float8"),
            SQL("v.active"),
            SQL("v.won"),
            SQL("v.excluded"),
        ]
        forecast = self.sql_values(engine_sql.weighted_revenue(*args), rows, columns)
        pipeline = self.sql_values(engine_sql.pipeline_amount(*args), rows, columns)
        self.assertEqual(
            [float(value) for value in forecast], [engine.weighted_revenue(*row) for row in rows]
        )
        self.assertEqual(
            [float(value) for value in pipeline], [engine.pipeline_amount(*row) for row in rows]
        )
        unrounded = self.sql_values(engine_sql.weighted_amount(args[0], args[1]), rows, columns)
        self.assertEqual(unrounded, [engine.weighted_amount(row[0], row[1]) for row in rows])
        self.assertEqual(engine.weighted_revenue(*rows[0]), 0.13)
        self.assertEqual(engine.weighted_revenue(*rows[-1 - 400]), -125.03)
