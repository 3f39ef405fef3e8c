# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Arithmetic of the sales funnel, free of the ORM.

Plain functions on plain values, so that the rules are read in one place and
tested without a database. Models call these; they do not re-derive them.
Rules that the database also applies (reports, batch updates) have their SQL
twin in ``engine_sql.py``, next to this file, under the same name.
"""
from decimal import ROUND_HALF_UP, Decimal

SECONDS_PER_DAY = 86400.0

# Percentages given to Odoo's own default pipeline when the module is
# installed (New / Qualified / Proposition / Won).
ODOO_DEFAULT_STAGE_PERCENTAGES = {
    "crm.stage_lead1": 10.0,
    "crm.stage_lead2": 30.0,
    "crm.stage_lead3": 60.0,
    "crm.stage_lead4": 100.0,
}

# Range over which stages are spread when no stage of the pipeline has a
# known percentage.
SPREAD_FIRST = 10.0
SPREAD_LAST = 90.0
# Highest percentage of a stage that is not the won stage.
OPEN_MAX = 99.0


def check_percentage(value):
    """True when ``value`` is a usable stage or deal percentage (0..100)."""
    return value is not None and 0.0 <= value <= 100.0


def spread_percentages(won_flags, first=SPREAD_FIRST, last=SPREAD_LAST):
    """Percentages for stages listed in pipeline order, none of them known.

    ``won_flags`` holds one boolean per stage (True for a won stage). Won
    stages get 100; the others are spread evenly from ``first`` to ``last``
    in the order given, rounded to whole percents.

    >>> spread_percentages([False, False, False, True])
    [10.0, 50.0, 90.0, 100.0]
    """
    return fill_percentages([(None, won) for won in won_flags], first, last)


def fill_percentages(stages, first=SPREAD_FIRST, last=SPREAD_LAST):
    """Percentages for stages in pipeline order, keeping the known ones.

    ``stages`` holds ``(percentage or None, is_won)`` pairs. Won stages get
    100, known percentages are kept, and each run of unknown ones is spread
    evenly between its known neighbours (0 before the first known stage,
    100 after the last one), so that the order of the pipeline is kept. When
    no open stage has a known percentage, they are spread from ``first`` to
    ``last``. Results are whole percents, below 100 for open stages.

    >>> fill_percentages([(10, False), (None, False), (30, False), (None, True)])
    [10.0, 20.0, 30.0, 100.0]
    """
    result = [100.0 if won else (None if known is None else float(known))
              for known, won in stages]
    open_positions = [i for i, (_known, won) in enumerate(stages) if not won]
    if all(result[i] is None for i in open_positions):
        count = len(open_positions)
        for rank, i in enumerate(open_positions):
            value = first if count == 1 else first + (last - first) * rank / (count - 1)
            result[i] = float(round(value))
        return result
    # runs of unknown open stages, with the known value on each side
    run = []
    low = 0.0
    for i in open_positions + [None]:
        value = None if i is None else result[i]
        if i is not None and value is None:
            run.append(i)
            continue
        high = 100.0 if i is None else value
        for rank, j in enumerate(run, start=1):
            share = low + (high - low) * rank / (len(run) + 1)
            result[j] = float(min(round(share), OPEN_MAX))
        run = []
        if value is not None:
            low = value
    return result


def propose_percentage(before, after):
    """Percentage proposed for a stage placed between two others.

    ``before`` and ``after`` are the percentages of the neighbouring open
    stages (None where there is none). Halfway between them, 0 before the
    first stage and 100 after the last one, below 100.

    >>> propose_percentage(30, 60)
    45.0
    """
    low = 0.0 if before is None else float(before)
    high = 100.0 if after is None else float(after)
    return float(min(round((low + high) / 2.0), OPEN_MAX))


def stage_probability(stage_percentage, is_won):
    """Probability a deal takes when it enters a stage (SQL twin:
    ``engine_sql.stage_probability``)."""
    return 100.0 if is_won else float(stage_percentage or 0.0)


def stage_order_key(sequence, stage_id):
    """Odoo's stage order: sequence, then id (SQL twin:
    ``engine_sql.stage_before``)."""
    return (sequence or 0, stage_id or 0)


def is_open(active, is_won):
    """A deal is open while it is neither won nor lost (archived)."""
    return bool(active) and not is_won


def round_money(value):
    """Round an amount to cents, half away from zero, the way PostgreSQL
    rounds a float: 15 significant digits, then ``ROUND(numeric, 2)``."""
    return float(Decimal("%.15g" % (value or 0.0)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def weighted_revenue(expected_revenue, probability, active, is_won, excluded):
    """Forecast contribution of one deal: amount x probability / 100 (SQL
    twin: ``engine_sql.weighted_revenue``).

    Only open deals count; a deal taken out of the forecast (stalled, or by
    hand) counts for nothing.
    """
    if excluded or not is_open(active, is_won):
        return 0.0
    return round_money((expected_revenue or 0.0) * (probability or 0.0) / 100.0)


def pipeline_amount(expected_revenue, probability, active, is_won, excluded):
    """What a deal adds to its pipeline column: the weighted forecast while
    open, the whole amount once won, nothing when lost (SQL twin:
    ``engine_sql.pipeline_amount``)."""
    if active and is_won:
        return round_money(expected_revenue or 0.0)
    return weighted_revenue(expected_revenue, probability, active, is_won, excluded)


def duration_days(date_in, date_out):
    """Length of a stay in days between two datetimes (SQL twin:
    ``engine_sql.days_between``).

    Days are periods of 24 hours (elapsed time / 86,400 seconds), not
    calendar days: the same in every time zone.
    """
    if not date_in or not date_out:
        return 0.0
    return max((date_out - date_in).total_seconds(), 0.0) / SECONDS_PER_DAY


def whole_days(date_in, now):
    """Whole 24-hour periods elapsed since ``date_in`` (0 when unknown)."""
    if not date_in or not now:
        return 0
    return int(duration_days(date_in, now))
