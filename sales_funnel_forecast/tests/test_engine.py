# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel's arithmetic (engine.py), without the ORM or a database: every
figure by hand."""

from datetime import date, datetime, timedelta

from odoo.tests import BaseCase, tagged

from .. import engine


@tagged("post_install", "-at_install")
class TestEngine(BaseCase):
    def test_spread_odoo_like_pipeline(self):
        assert engine.spread_percentages([False, False, False, True]) == [10.0, 50.0, 90.0, 100.0]

    def test_spread_single_open_stage_and_won_in_the_middle(self):
        assert engine.spread_percentages([False]) == [10.0]
        assert engine.spread_percentages([False, True, False, False, False]) == [
            10.0,
            100.0,
            37.0,
            63.0,
            90.0,
        ]
        assert engine.spread_percentages([]) == []

    def test_fill_keeps_known_percentages_and_their_order(self):
        stages = [(10, False), (None, False), (30, False), (60, False), (None, False), (None, True)]
        assert engine.fill_percentages(stages) == [10.0, 20.0, 30.0, 60.0, 80.0, 100.0]
        # unknown stages before the first known one: from 0
        assert engine.fill_percentages([(None, False), (None, False), (30, False)]) == [
            10.0,
            20.0,
            30.0,
        ]
        # a known won stage stays 100, open stages never reach it
        assert engine.fill_percentages(
            [(98, False), (None, False), (None, False), (100, True)]
        ) == [98.0, 99.0, 99.0, 100.0]

    def test_propose_percentage(self):
        assert engine.propose_percentage(30, 60) == 45.0
        assert engine.propose_percentage(None, 10) == 5.0
        assert engine.propose_percentage(60, None) == 80.0
        assert engine.propose_percentage(None, None) == 50.0
        assert engine.propose_percentage(99, None) == 99.0

    def test_check_percentage(self):
        for value, ok in [
            (0, True),
            (100, True),
            (55.5, True),
            (-0.01, False),
            (100.01, False),
            (None, False),
        ]:
            with self.subTest(value=value):
                assert engine.check_percentage(value) is ok

    def test_stage_probability(self):
        assert engine.stage_probability(35, False) == 35.0
        assert engine.stage_probability(35, True) == 100.0
        assert engine.stage_probability(None, False) == 0.0

    def test_round_money_half_away_from_zero(self):
        for value, rounded in [
            (0.125, 0.13),
            (500.025, 500.03),
            (599.994, 599.99),
            (-0.125, -0.13),
            (0.1 + 0.2, 0.3),
            (2.675, 2.68),
            (None, 0.0),
        ]:
            with self.subTest(value=value):
                assert engine.round_money(value) == rounded

    def test_weighted_revenue_by_hand(self):
        assert engine.weighted_revenue(10000, 10, True, False, False) == 1000.0
        assert engine.weighted_revenue(999.99, 60, True, False, False) == 599.99
        assert engine.weighted_revenue(0.25, 50, True, False, False) == 0.13
        assert engine.weighted_revenue(8000, 100, True, True, False) == 0.0  # won
        assert engine.weighted_revenue(7000, 0, False, False, False) == 0.0  # lost
        assert engine.weighted_revenue(9000, 60, True, False, True) == 0.0  # excluded
        assert engine.weighted_revenue(None, 60, True, False, False) == 0.0

    def test_pipeline_amount(self):
        assert engine.pipeline_amount(8000, 100, True, True, False) == 8000.0  # won: all of it
        assert engine.pipeline_amount(10000, 10, True, False, False) == 1000.0  # open: weighted
        assert engine.pipeline_amount(7000, 0, False, False, False) == 0.0  # lost
        assert engine.pipeline_amount(9000, 60, True, False, True) == 0.0  # excluded

    def test_durations(self):
        start = datetime(2026, 1, 1, 12, 0)
        assert engine.duration_days(start, start + timedelta(days=7, hours=12)) == 7.5
        assert engine.duration_days(start, start - timedelta(days=1)) == 0.0
        assert engine.duration_days(None, start) == 0.0
        assert engine.whole_days(start, start + timedelta(days=9, hours=23)) == 9
        assert engine.whole_days(None, start) == 0

    def test_conversion_rate(self):
        self.assertAlmostEqual(engine.conversion_rate(2, 3), 66.6667, delta=1e-4)
        assert engine.conversion_rate(0, 4) == 0.0
        assert engine.conversion_rate(0, 0) is None, (
            "an empty stage has no rate, not a division by zero"
        )

    def test_history_weight(self):
        assert engine.history_weight(25.0, False, 60) == 0.25
        assert engine.history_weight(25.0, True, 60) == 0.6, "falling back: the stage percentage"
        assert engine.history_weight(None, True, None) == 0.0

    def test_history_win_rate_and_fallback(self):
        assert engine.history_win_rate(3, 7, 40) == (30.0, False)
        assert engine.history_win_rate(9, 0, 40) == (40.0, True), (
            "9 closed deals: the stage percentage"
        )
        assert engine.history_win_rate(0, 0, None) == (0.0, True)
        assert engine.history_win_rate(10, 0, 40) == (100.0, False)

    def test_period_bounds(self):
        for period, bounds in [
            ("this_month", (date(2026, 5, 1), date(2026, 6, 1))),
            ("last_month", (date(2026, 4, 1), date(2026, 5, 1))),
            ("this_quarter", (date(2026, 4, 1), date(2026, 7, 1))),
            ("last_quarter", (date(2026, 1, 1), date(2026, 4, 1))),
            ("this_year", (date(2026, 1, 1), date(2027, 1, 1))),
            ("last_year", (date(2025, 1, 1), date(2026, 1, 1))),
            ("last_12_months", (date(2025, 6, 1), date(2026, 6, 1))),
            ("all", (None, None)),
        ]:
            with self.subTest(period=period):
                assert engine.period_bounds(period, date(2026, 5, 10)) == bounds

    def test_period_bounds_across_the_year(self):
        assert engine.period_bounds("last_month", date(2026, 1, 15)) == (
            date(2025, 12, 1),
            date(2026, 1, 1),
        )
        assert engine.period_bounds("last_quarter", date(2026, 2, 1)) == (
            date(2025, 10, 1),
            date(2026, 1, 1),
        )

    def test_comparison_bounds(self):
        q2 = (date(2026, 4, 1), date(2026, 7, 1))
        assert engine.comparison_bounds(*q2, "previous") == (date(2026, 1, 1), date(2026, 4, 1))
        assert engine.comparison_bounds(*q2, "last_year") == (date(2025, 4, 1), date(2025, 7, 1))
        assert engine.comparison_bounds(*q2, "none") is None
        assert engine.comparison_bounds(None, None, "previous") is None
        # a period of days: the same number of days before
        assert engine.comparison_bounds(date(2026, 3, 10), date(2026, 3, 17), "previous") == (
            date(2026, 3, 3),
            date(2026, 3, 10),
        )
        assert engine.comparison_bounds(date(2028, 2, 29), date(2028, 3, 1), "last_year") == (
            date(2027, 2, 28),
            date(2027, 3, 1),
        )

    def test_stall_decisions(self):
        assert engine.is_stalled(10.5, 10) is True
        assert engine.is_stalled(10.0, 10) is False, "exactly the limit is not past it"
        assert engine.is_stalled(400, 0) is False, "0: the stage never stalls deals"
        assert engine.days_over(13.9, 10) == 3
        assert engine.days_over(9, 10) == 0

    def test_move_back_position(self):
        for position, steps, target in [
            (5, 1, 4),
            (5, 2, 3),
            (1, 3, 0),
            (0, 1, None),
            (3, 0, 2),
        ]:
            with self.subTest(position=position):
                assert engine.move_back_position(position, steps) == target

    def test_propose_stall_days(self):
        assert engine.propose_stall_days([2, 3, 4, 5, 10]) == 8
        # even count: median of the middle two (3.5), 7 days
        assert engine.propose_stall_days([2, 3, 4, 5, 1, 9]) == 7
        # rounded up to a whole day, capped
        assert engine.propose_stall_days([1.2] * 5) == 3
        assert engine.propose_stall_days([40] * 5) == 30
        assert engine.propose_stall_days([0.1] * 5) == 1
        # too little history: no proposal
        assert engine.propose_stall_days([4, 4, 4, 4]) is None
        assert engine.propose_stall_days([4, 4, 4, 4], min_sample=3, multiplier=1.5, cap=60) == 6

    def test_guess_loss_category(self):
        for name, category in [
            ("Too expensive", "price"),
            ("We don't have people/skills", "other"),
            ("Not enough stock", "other"),
            ("Lost to a competitor", "competitor"),
            ("No budget this year", "no_budget"),
            ("Bad timing", "timing"),
            ("No response after several attempts", "no_response"),
            ("Spam", "unqualified"),
            ("", "other"),
            (None, "other"),
        ]:
            with self.subTest(name=name):
                assert engine.guess_loss_category(name) == category

    # --- target plans -------------------------------------------------------------
    def test_round_running_adds_up_by_row_and_by_month(self):
        """A team's 2.00 over three months (0.67, 0.66, 0.67 rounded alone)
        split 0.67, 0.67, 0.66: rounded alone the members' months make
        0.66, 0.68, 0.66; rounded one on top of the other they make the
        team's, and each member's its own target."""
        months = [1, 2, 3]
        team = engine.round_running(dict.fromkeys(months, 2 / 3), engine.round_money)
        self.assertEqual(list(team.values()), [0.67, 0.66, 0.67])
        rows = [dict.fromkeys(months, share / 3) for share in (0.67, 0.67, 0.66)]
        alone = [list(engine.round_running(row, engine.round_money).values()) for row in rows]
        self.assertEqual(alone, [[0.22, 0.23, 0.22], [0.22, 0.23, 0.22], [0.22, 0.22, 0.22]])
        together = [
            list(engine.round_running(row, engine.round_money, rows[:index]).values())
            for index, row in enumerate(rows)
        ]
        self.assertEqual(together, [[0.22, 0.23, 0.22], [0.23, 0.21, 0.23], [0.22, 0.22, 0.22]])
        self.assertEqual([round(sum(month), 2) for month in zip(*together)], [0.67, 0.66, 0.67])

    def test_plan_two_wins_in_ten_prospects(self):
        months = engine.plan_months(date(2027, 1, 1), date(2027, 12, 31))
        total = engine.sum_figures(engine.plan_figures(months, 100000, 10000, 20, 0).values())
        assert [engine.count_up(total["deals"]), engine.count_up(total["leads"])] == [10, 50]
        assert round(total["pipeline"], 6) == 500000

    def test_plan_rounds_up_once_from_exact_values(self):
        months = engine.plan_months(date(2027, 1, 1), date(2027, 12, 31))
        total = engine.sum_figures(engine.plan_figures(months, 100000, 3000, 25, 0).values())
        # 33.3 deals need 34; the prospects come from 133.3 (134), not from 34 (136)
        assert engine.count_up(total["deals"]) == 34
        assert engine.count_up(total["leads"]) == 134
        assert engine.count_up(100 / 3 * 3) == 100

    def test_plan_months_quarters_and_seasonality(self):
        months = engine.plan_months(date(2027, 1, 1), date(2027, 12, 31))
        assert (
            len(months) == 12 and months[0] == date(2027, 1, 1) and months[-1] == date(2027, 12, 1)
        )
        # December counts double: 13 shares, December two of them
        figures = engine.plan_figures(months, 130000, 1000, 50, 0, weights={12: 2.0})
        assert round(figures[date(2027, 12, 1)]["revenue"], 6) == 20000
        assert round(figures[date(2027, 1, 1)]["revenue"], 6) == 10000
        q4 = engine.sum_figures(
            f for month, f in figures.items() if engine.quarter_start(month) == date(2027, 10, 1)
        )
        assert round(q4["revenue"], 6) == 40000
        assert engine.count_up(q4["leads"]) == 80
        with self.assertRaises(ValueError):
            engine.plan_figures(months, 130000, 1000, 50, 0, weights={m: 0 for m in range(1, 13)})

    def test_plan_cycle_moves_entries_earlier_even_before_the_plan(self):
        months = engine.plan_months(date(2027, 1, 1), date(2027, 12, 31))
        figures = engine.plan_figures(months, 120000, 1000, 50, 60)
        assert (
            engine.cycle_months(60) == 2
            and engine.cycle_months(45) == 1
            and engine.cycle_months(0) == 0
        )
        # deals closing in March: their prospects enter in January
        assert round(figures[date(2027, 3, 1)]["deals"], 6) == 10
        assert round(figures[date(2027, 1, 1)]["leads"], 6) == 20
        # January's and February's deals need prospects in November and December
        before = [month for month, figure in figures.items() if not figure["in_plan"]]
        assert before == [date(2026, 11, 1), date(2026, 12, 1)]
        assert round(figures[date(2026, 11, 1)]["leads"], 6) == 20
        assert figures[date(2026, 11, 1)]["deals"] == 0
        # nothing enters in the last two months for deals of the plan
        assert figures[date(2027, 12, 1)]["leads"] == 0

    def test_plan_origin_split_and_win_rates(self):
        assert round(engine.conversion_win_rate([50, 40, 50]), 6) == 10
        # 50 % seeds winning 40 %, 30 % nets winning 20 %, 20 % spears winning 5 %
        mix = [(50, 40), (30, 20), (20, 5)]
        assert round(engine.mix_win_rate(mix), 6) == 27
        months = engine.plan_months(date(2027, 1, 1), date(2027, 1, 31))
        figures = engine.plan_figures(
            months,
            27000,
            1000,
            engine.mix_win_rate(mix),
            0,
            origin_shares={"seed": 50, "net": 30, "spear": 20},
        )
        january = figures[date(2027, 1, 1)]
        assert round(january["leads"], 6) == 100
        assert {k: round(v, 6) for k, v in january["leads_by_origin"].items()} == {
            "seed": 50,
            "net": 30,
            "spear": 20,
        }

    def test_plan_refuses_bad_input(self):
        months = engine.plan_months(date(2027, 1, 1), date(2027, 12, 31))
        for args in ((0, 1000, 20), (1000, 0, 20), (1000, 100, 0), (1000, 100, 101)):
            with self.assertRaises(ValueError):
                engine.plan_figures(months, *args, 0)

    def test_funnel_reach(self):
        place = {"A": 0, "B": 1, "X": 2, "Z": 3, "C": 4, "Y": 5}
        pipeline = [("A", 10), ("B", 20), ("C", 30)]
        # Z: an archived stage of the pipeline; X, Y: another team's
        family = {"A", "B", "Z", "C"}
        day = [date(2026, 3, d) for d in range(1, 6)]

        def reach(stays, won=frozenset()):
            return engine.funnel_reach(stays, pipeline, family, place, won)

        # created in A, skipped B into C, back to A: A entered first on day 1
        assert reach({"A": day[0], "C": day[1]}) == [
            ("A", 10, day[0], True, True),
            ("B", 20, day[1], False, True),
            ("C", 30, day[1], True, False),
        ]
        # a stay in an archived stage of the pipeline dates the stages
        # before it; one in another team's stage reaches nothing
        assert reach({"Z": day[2]}) == [
            ("A", 10, day[2], False, True),
            ("B", 20, day[2], False, True),
        ]
        assert reach({"X": day[2], "Y": day[3]}) == []
        # a stage entered after a later one: dated by its own entry
        assert reach({"C": day[0], "A": day[3]})[0] == ("A", 10, day[3], True, True)
        assert reach({}) == []
        # C won: reached by a won stay only
        assert reach({"A": day[0], "C": day[1]}, won={"C"})[-1] == ("C", 30, day[1], True, False)
        assert engine.funnel_reach(
            {"A": day[0], "Y": day[1]}, pipeline, family | {"Y"}, place, {"C"}
        ) == [("A", 10, day[0], True, True), ("B", 20, day[1], False, True)]

    def test_stage_forecast_category_by_percentage(self):
        got = [
            engine.stage_forecast_category(pct, False)
            for pct in (None, 0, 10, 39.99, 40, 69.99, 70, 99)
        ]
        assert got == [
            "pipeline",
            "pipeline",
            "pipeline",
            "pipeline",
            "best_case",
            "best_case",
            "commit",
            "commit",
        ]
        assert engine.stage_forecast_category(100, True) == "closed"
        assert engine.stage_forecast_category(10, True) == "closed"

    def test_deal_forecast_category(self):
        category = engine.deal_forecast_category
        # lost first, then won, then out of the forecast, then a rep's choice, then the stage's
        assert category(False, True, False, "commit", "commit") == "omitted"
        assert category(True, True, True, "pipeline", "closed") == "closed"
        assert category(True, False, True, "commit", "commit") == "omitted"
        assert category(True, False, False, "commit", "pipeline") == "commit"
        assert category(True, False, False, "omitted", "commit") == "omitted"
        assert category(True, False, False, False, "best_case") == "best_case"
        # a choice that cannot hold on an open deal, a stage without one
        assert category(True, False, False, "closed", "pipeline") == "pipeline"
        assert category(True, False, False, False, None) == "pipeline"

    def test_propose_stage_percentage_from_win_rates(self):
        propose = engine.propose_stage_percentage
        assert propose(3, 9) == 25.0
        # half a percent rounds up, whole percents only
        assert propose(5, 35) == 13.0  # 12.5 %
        assert propose(4, 14) == 22.0  # 22.2 %
        # fewer than 10 closed deals: nothing to propose
        assert propose(3, 6) is None
        assert propose(0, 0) is None
        # an open stage stays below the won stage's 100
        assert propose(10, 0) == 99.0
        assert propose(0, 10) == 0.0
        assert propose(0, 0, is_won=True) == 100.0
        assert propose(1, 1, min_closed=2) == 50.0
