# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Arithmetic of the sales funnel, free of the ORM.

Plain functions on plain values, so that the rules are read in one place and
tested without a database. Models call these; they do not re-derive them.
"""

SECONDS_PER_DAY = 86400.0

# Percentages given to Odoo's own default pipeline when the module is
# installed (New / Qualified / Proposition / Won).
ODOO_DEFAULT_STAGE_PERCENTAGES = {
    "crm.stage_lead1": 10.0,
    "crm.stage_lead2": 30.0,
    "crm.stage_lead3": 60.0,
    "crm.stage_lead4": 100.0,
}

# Range over which stages without a known percentage are spread, by sequence.
SPREAD_FIRST = 10.0
SPREAD_LAST = 90.0


def check_percentage(value):
    """True when ``value`` is a usable stage or deal percentage (0..100)."""
    return value is not None and 0.0 <= value <= 100.0


def spread_percentages(won_flags, first=SPREAD_FIRST, last=SPREAD_LAST):
    """Percentages for stages listed in pipeline order.

    ``won_flags`` holds one boolean per stage (True for a won stage). Won
    stages get 100; the others are spread evenly from ``first`` to ``last``
    in the order given, rounded to whole percents.

    >>> spread_percentages([False, False, False, True])
    [10.0, 50.0, 90.0, 100.0]
    """
    open_count = sum(1 for won in won_flags if not won)
    result = []
    rank = 0
    for won in won_flags:
        if won:
            result.append(100.0)
            continue
        if open_count == 1:
            value = first
        else:
            value = first + (last - first) * rank / (open_count - 1)
        result.append(float(round(value)))
        rank += 1
    return result


def stage_probability(stage_percentage, is_won):
    """Probability a deal takes when it enters a stage."""
    return 100.0 if is_won else float(stage_percentage or 0.0)


def is_open(active, is_won):
    """A deal is open while it is neither won nor lost (archived)."""
    return bool(active) and not is_won


def weighted_revenue(expected_revenue, probability, active, is_won, excluded):
    """Forecast contribution of one deal: amount x probability / 100.

    Only open deals count; a deal taken out of the forecast (stalled, or by
    hand) counts for nothing. Rounded to cents like Odoo's prorated revenue.
    """
    if excluded or not is_open(active, is_won):
        return 0.0
    return round((expected_revenue or 0.0) * (probability or 0.0) / 100.0, 2)


def duration_days(date_in, date_out):
    """Length of a stay in days (float) between two datetimes."""
    if not date_in or not date_out:
        return 0.0
    return max((date_out - date_in).total_seconds(), 0.0) / SECONDS_PER_DAY


def whole_days(date_in, now):
    """Whole days elapsed since ``date_in`` (0 when unknown)."""
    if not date_in or not now:
        return 0
    return int(duration_days(date_in, now))


def is_regression(previous_sequence, new_sequence):
    """A move to a stage placed earlier in the pipeline."""
    if previous_sequence is None or new_sequence is None:
        return False
    return new_sequence < previous_sequence
