# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rules of ``engine.py`` that the database applies too, as SQL.

Each function here is the SQL twin of the ``engine`` function of the same
name: batch updates and report views use these, Python code uses the engine,
and ``tests/test_engine_sql.py`` checks that both give the same figures.
Arguments are ``odoo.tools.SQL`` expressions (column references or values).
"""

from odoo.tools import SQL

from . import engine


def stage_probability(stage_alias):
    """``engine.stage_probability`` for the ``crm_stage`` row ``stage_alias``:
    100 in a won stage, the stage percentage elsewhere."""
    return SQL(
        "(CASE WHEN COALESCE(%s, FALSE) THEN 100.0 ELSE COALESCE(%s, 0)::float8 END)",
        SQL.identifier(stage_alias, "is_won"),
        SQL.identifier(stage_alias, "forecast_probability"),
    )


def stage_forecast_category(percentage, is_won):
    """``engine.stage_forecast_category`` over SQL values ``percentage`` and
    ``is_won``."""
    return SQL(
        """(CASE WHEN COALESCE(%(won)s, FALSE) THEN 'closed'
                 WHEN COALESCE(%(pct)s, 0) >= %(commit)s THEN 'commit'
                 WHEN COALESCE(%(pct)s, 0) >= %(best)s THEN 'best_case'
                 ELSE 'pipeline' END)""",
        won=is_won,
        pct=percentage,
        commit=engine.COMMIT_FROM,
        best=engine.BEST_CASE_FROM,
    )


def deal_forecast_category(active, is_won, excluded, chosen, stage_category):
    """``engine.deal_forecast_category`` over SQL values (``chosen``: the
    deal's category when a rep's choice holds, else NULL)."""
    return SQL(
        """(CASE WHEN NOT COALESCE(%(active)s, FALSE) THEN 'omitted'
                 WHEN COALESCE(%(won)s, FALSE) THEN 'closed'
                 WHEN COALESCE(%(excluded)s, FALSE) THEN 'omitted'
                 WHEN %(chosen)s IN %(open)s THEN %(chosen)s
                 WHEN %(stage)s IN %(open)s THEN %(stage)s
                 ELSE 'pipeline' END)""",
        active=active,
        won=is_won,
        excluded=excluded,
        chosen=chosen,
        stage=stage_category,
        open=engine.OPEN_FORECAST_CATEGORIES,
    )


def stage_order_columns(stage_alias):
    """The stage order (``stage_order``) as the list of an ORDER BY or a
    window's: sequence (empty last), name in English, id."""
    return SQL(
        "COALESCE(%s, 2147483647), %s->>'en_US', %s",
        SQL.identifier(stage_alias, "sequence"),
        SQL.identifier(stage_alias, "name"),
        SQL.identifier(stage_alias, "id"),
    )


def stage_order(stage_alias):
    """The place of the ``crm_stage`` row ``stage_alias`` in Odoo's stage
    order, the kanban's: sequence (empty last, as PostgreSQL sorts it),
    then name, then id, the names compared in English (the funnel rows
    are worked out once for every user), as a row value to compare; NULL
    without a stage.
    ``crm.stage._sff_sorted`` sorts records in this order."""
    return SQL(
        "(CASE WHEN %s IS NOT NULL THEN ROW(%s) END)",
        SQL.identifier(stage_alias, "id"),
        stage_order_columns(stage_alias),
    )


def stage_before(first_alias, second_alias):
    """True when the ``crm_stage`` row ``first_alias`` comes before
    ``second_alias`` in the stage order (``stage_order``). NULL when either
    stage is missing."""
    return SQL("(%s < %s)", stage_order(first_alias), stage_order(second_alias))


def moved_back(new_alias, previous_alias):
    """A move from the ``crm_stage`` row ``previous_alias`` to
    ``new_alias`` goes back in the pipeline: both stages are in one
    pipeline and the new one comes first in the stage order. One pipeline:
    the same team's stages, or a stage shared by every team and a stage of
    a team without a catalogue of its own (a team with one has its own
    stages only). A move into another team's pipeline (a team change, a
    merge) is none: their orders say nothing of each other. NULL when
    either stage is missing."""

    def own_pipeline(team_id):
        return SQL(
            "EXISTS (SELECT 1 FROM crm_team t WHERE t.id = %s AND t.stage_catalogue_id IS NOT NULL)",
            team_id,
        )

    new_team = SQL.identifier(new_alias, "team_id")
    previous_team = SQL.identifier(previous_alias, "team_id")
    return SQL(
        """(%(before)s AND (%(new)s IS NOT DISTINCT FROM %(previous)s
                            OR (%(previous)s IS NULL AND NOT %(new_own)s)
                            OR (%(new)s IS NULL AND NOT %(previous_own)s)))""",
        before=stage_before(new_alias, previous_alias),
        new=new_team,
        previous=previous_team,
        new_own=own_pipeline(new_team),
        previous_own=own_pipeline(previous_team),
    )


def days_between(start, end):
    """``engine.duration_days``: 24-hour periods from ``start`` to ``end``,
    never negative. ``date_part`` gives the seconds as a float8 directly
    (``EXTRACT`` computes an exact numeric first: twice the time over
    millions of stays)."""
    return SQL("(GREATEST(date_part('epoch', %s - %s), 0) / 86400.0)", end, start)


CENTS = SQL("2")


def round_money(value, decimals=CENTS):
    """``engine.round_money``: a float rounded to ``decimals`` places (an
    expression: the deal's currency's, ``crm.lead._sff_decimals_sql``), half
    away from zero (the cast keeps 15 significant digits, as the engine
    does)."""
    return SQL("ROUND((%s)::float8::numeric, (%s)::int)", value, decimals)


def weighted_revenue(expected_revenue, probability, active, is_won, excluded, decimals=CENTS):
    """``engine.weighted_revenue``: amount x probability / 100 for open deals
    in the forecast, 0 otherwise. The product is computed in float8, in the
    engine's order, so that both round the same number."""
    return SQL(
        """(CASE WHEN COALESCE(%(active)s, FALSE) AND NOT COALESCE(%(won)s, FALSE)
                      AND NOT COALESCE(%(excluded)s, FALSE)
                 THEN %(rounded)s ELSE 0.00 END)""",
        active=active,
        won=is_won,
        excluded=excluded,
        rounded=round_money(
            SQL(
                "COALESCE(%s, 0)::float8 * COALESCE(%s, 0)::float8 / 100.0",
                expected_revenue,
                probability,
            ),
            decimals,
        ),
    )


def weighted_amount(expected_revenue, probability):
    """Amount x probability / 100 unrounded, in float8: what report views
    sum over many deals (``engine.weighted_amount``); converting each row to
    numeric to round it would cost more than the rest of the query."""
    return SQL(
        "(COALESCE(%s, 0)::float8 * COALESCE(%s, 0)::float8 / 100.0)", expected_revenue, probability
    )


def pipeline_amount(expected_revenue, probability, active, is_won, excluded, decimals=CENTS):
    """``engine.pipeline_amount``: the whole amount of a won deal, the
    weighted forecast of an open one, 0 for a lost one."""
    return SQL(
        "(CASE WHEN COALESCE(%s, FALSE) AND COALESCE(%s, FALSE) THEN %s ELSE %s END)",
        active,
        is_won,
        round_money(SQL("COALESCE(%s, 0)::float8", expected_revenue), decimals),
        weighted_revenue(expected_revenue, probability, active, is_won, excluded, decimals),
    )


def stall_due(since, stage_alias):
    """When a stay that started (or was kept open) at ``since`` stalls: the
    stage's number of days later; NULL in a stage that never stalls deals or
    in a won stage (``engine.is_stalled``)."""
    return SQL(
        "(CASE WHEN COALESCE(%s, 0) > 0 AND NOT COALESCE(%s, FALSE) "
        "THEN %s + make_interval(days => %s) END)",
        SQL.identifier(stage_alias, "stall_days"),
        SQL.identifier(stage_alias, "is_won"),
        since,
        SQL.identifier(stage_alias, "stall_days"),
    )
