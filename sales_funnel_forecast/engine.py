# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Arithmetic of the sales funnel, free of the ORM.

Plain functions on plain values, so that the rules are read in one place and
tested without a database. Models call these; they do not re-derive them.
Rules that the database also applies (reports, batch updates) have their SQL
twin in ``engine_sql.py``, next to this file, under the same name.
"""

import math
from datetime import date, timedelta
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
    result = [100.0 if won else (None if known is None else float(known)) for known, won in stages]
    open_positions = [i for i, (_known, won) in enumerate(stages) if not won]
    if all(result[i] is None for i in open_positions):
        count = len(open_positions)
        for rank, i in enumerate(open_positions):
            value = first if count == 1 else first + (last - first) * rank / (count - 1)
            result[i] = round_money(value, 0)
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
            result[j] = min(round_money(share, 0), OPEN_MAX)
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
    # a whole percent, half up as by hand (and as the win rates' proposal)
    return min(round_money((low + high) / 2.0, 0), OPEN_MAX)


def stage_probability(stage_percentage, is_won):
    """Probability a deal takes when it enters a stage (SQL twin:
    ``engine_sql.stage_probability``)."""
    return 100.0 if is_won else float(stage_percentage or 0.0)


# Forecast categories, as the leading CRMs name them: an open deal is in
# the pipeline, a best case or a commit; a won one is closed; a lost one, or
# one taken out of the forecast, is omitted.
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
# the categories a rep may choose for an open deal
OPEN_FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "omitted")
BEST_CASE_FROM = 40.0
COMMIT_FROM = 70.0


def stage_forecast_category(stage_percentage, is_won):
    """A stage's category by default (SQL twin:
    ``engine_sql.stage_forecast_category``): below 40 % pipeline, 40 to 69
    best case, 70 and above commit, a won stage closed."""
    if is_won:
        return "closed"
    percentage = float(stage_percentage or 0.0)
    if percentage >= COMMIT_FROM:
        return "commit"
    if percentage >= BEST_CASE_FROM:
        return "best_case"
    return "pipeline"


def deal_forecast_category(active, is_won, excluded, chosen, stage_category):
    """A deal's category: omitted once lost (archived), closed once won,
    omitted while out of the forecast, else the one a rep chose (``chosen``:
    False when none holds), else its stage's (SQL twin:
    ``engine_sql.deal_forecast_category``)."""
    if not active:
        return "omitted"
    if is_won:
        return "closed"
    if excluded:
        return "omitted"
    if chosen in OPEN_FORECAST_CATEGORIES:
        return chosen
    if stage_category in OPEN_FORECAST_CATEGORIES:
        return stage_category
    return "pipeline"


def is_open(active, is_won):
    """A deal is open while it is neither won nor lost (archived)."""
    return bool(active) and not is_won


def round_money(value, decimals=2):
    """Round an amount to ``decimals`` places (its currency's: cents,
    fils, yen), half away from zero, the way PostgreSQL rounds a float: 15
    significant digits, then ``ROUND(numeric, decimals)``."""
    return float(
        Decimal("%.15g" % (value or 0.0)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    )


def weighted_revenue(expected_revenue, probability, active, is_won, excluded, decimals=2):
    """Forecast contribution of one deal: amount x probability / 100, to
    its currency's ``decimals`` (SQL twin: ``engine_sql.weighted_revenue``).

    Only open deals count; a deal taken out of the forecast (stalled, or by
    hand) counts for nothing.
    """
    if excluded or not is_open(active, is_won):
        return 0.0
    return round_money((expected_revenue or 0.0) * (probability or 0.0) / 100.0, decimals)


def weighted_amount(expected_revenue, probability):
    """Amount x probability / 100, unrounded (SQL twin:
    ``engine_sql.weighted_amount``): the reports sum it and round the total."""
    return (expected_revenue or 0.0) * (probability or 0.0) / 100.0


def pipeline_amount(expected_revenue, probability, active, is_won, excluded, decimals=2):
    """What a deal adds to its pipeline column: the weighted forecast while
    open, the whole amount once won, nothing when lost (SQL twin:
    ``engine_sql.pipeline_amount``)."""
    if active and is_won:
        return round_money(expected_revenue or 0.0, decimals)
    return weighted_revenue(expected_revenue, probability, active, is_won, excluded, decimals)


# Closed deals a stage needs in the last year before its own win rate is
# trusted over its percentage.
def funnel_reach(stays, pipeline, family, place, won=frozenset()):
    """The stages of a deal's pipeline that it reached, as the funnel rows
    count them (SQL twin: ``crm.lead.stage.reach._sff_rows_sql``): a deal
    reached a stage when it had a stay in that stage or in a later one.

    ``stays``: {stage id: first entry} of the deal's stays; ``pipeline``:
    [(stage id, sequence)] the active stages of its pipeline; ``family``:
    the ids of its pipeline's stages, archived ones too (a stay in another
    team's stage reaches nothing); ``place``: {stage id: place in the stage
    order} of every stage; ``won``: the won stages, which only a stay in a
    won stage reaches. Returns, in the
    order of ``pipeline``, (stage id, sequence, date reached, entered,
    moved on): reached on its first entry in the stage, or for a stage it
    skipped on its first entry in a later one; moved on when it had a stay
    in a later stage."""
    rows = []
    for stage_id, sequence in pipeline:
        later = [
            (other, date)
            for other, date in stays.items()
            if other in family
            and place[other] >= place[stage_id]
            and (stage_id not in won or other in won)
        ]
        if not later:
            continue
        entered = stage_id in stays
        rows.append(
            (
                stage_id,
                sequence,
                stays[stage_id] if entered else min(date for _other, date in later),
                entered,
                any(other != stage_id for other, _date in later),
            )
        )
    return rows


HISTORY_MIN_CLOSED = 10
HISTORY_DAYS = 365


def conversion_rate(moved_on, reached):
    """Share (%) of the deals that reached a stage and moved on to a later
    one; None when no deal reached it (nothing to divide)."""
    if not reached:
        return None
    return 100.0 * (moved_on or 0) / reached


def history_win_rate(won, lost, stage_percentage, min_closed=HISTORY_MIN_CLOSED):
    """Win rate (%) of a stage from the deals that reached it and closed:
    100 x won / (won + lost). With fewer than ``min_closed`` closed deals the
    stage percentage stands in. Returns ``(rate, fell_back)``."""
    closed = (won or 0) + (lost or 0)
    if closed < min_closed:
        return float(stage_percentage or 0.0), True
    return 100.0 * (won or 0) / closed, False


def propose_stage_percentage(won, lost, is_won=False, min_closed=HISTORY_MIN_CLOSED):
    """A stage's percentage from the deals that reached it and closed: its
    win rate rounded to a whole percent, at most 99 for an open stage (100
    is the won stage's), 100 for the won stage. None with fewer than
    ``min_closed`` closed deals: too few to say.

    >>> propose_stage_percentage(3, 9)
    25.0
    """
    if is_won:
        return 100.0
    closed = (won or 0) + (lost or 0)
    if closed < max(min_closed, 1):
        return None
    rate = Decimal(100 * (won or 0)) / Decimal(closed)
    return float(min(Decimal(OPEN_MAX), rate.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def history_weight(win_rate, fell_back, stage_percentage):
    """Share (0..1) of a deal's amount that the history-weighted forecast
    counts in a stage: the stage's win rate, or its percentage while too few
    deals closed to measure one."""
    rate = stage_percentage if fell_back else win_rate
    return float(rate or 0.0) / 100.0


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


PERIODS = (
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "last_12_months",
    "all",
)
COMPARISONS = ("none", "previous", "last_year")


def _shift_months(day, months):
    """First day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(period, today):
    """``(first day, day after the last)`` of a named period around
    ``today`` (a date); ``(None, None)`` for "all".

    >>> period_bounds("last_quarter", date(2026, 5, 10))
    (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    """
    month_start = date(today.year, today.month, 1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if period == "this_month":
        return month_start, _shift_months(month_start, 1)
    if period == "last_month":
        return _shift_months(month_start, -1), month_start
    if period == "this_quarter":
        return quarter_start, _shift_months(quarter_start, 3)
    if period == "last_quarter":
        return _shift_months(quarter_start, -3), quarter_start
    if period == "this_year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year, 1, 1)
    if period == "last_12_months":
        return _shift_months(month_start, -11), _shift_months(month_start, 1)
    if period == "all":
        return None, None
    raise ValueError(period)


def comparison_bounds(date_from, date_to, comparison):
    """The period a funnel is compared with: the one just before, of the same
    length in months when the period is whole months, or the same period a
    year earlier. None for no comparison or an unbounded period."""
    if comparison == "none" or not date_from or not date_to:
        return None
    if comparison == "last_year":
        if date_from.day == 1 and date_to.day == 1:
            # whole months: the same months (a February, leap day or not)
            return _shift_months(date_from, -12), _shift_months(date_to, -12)
        # days: the last day shifted, not the day after it (a period ending
        # on 28 February of a leap year ends on 28 February the year before)
        return _same_day_years_before(date_from, 1), _same_day_years_before(
            date_to - timedelta(days=1), 1
        ) + timedelta(days=1)
    if comparison == "previous":
        if date_from.day == 1 and date_to.day == 1:
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month
            return _shift_months(date_from, -months), date_from
        return date_from - (date_to - date_from), date_from
    raise ValueError(comparison)


def _same_day_years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: the 28th
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------------------
# Stall rules
# ---------------------------------------------------------------------------
STALL_MULTIPLIER = 2.0
STALL_CAP_DAYS = 30
STALL_MIN_SAMPLE = 5


def is_stalled(days_in_stage, stall_days):
    """A deal stalls once it has been longer than ``stall_days`` (24-hour
    periods) in its stage; 0 means the stage never stalls deals."""
    return bool(stall_days) and stall_days > 0 and (days_in_stage or 0.0) > stall_days


def days_over(days_in_stage, stall_days):
    """Whole days a stalled deal is past its stage's limit (0 if not)."""
    if not is_stalled(days_in_stage, stall_days):
        return 0
    return int(days_in_stage - stall_days)


def move_back_position(position, steps):
    """Position (0 = first stage of the pipeline) a stalled deal moves back
    to: ``steps`` stages earlier, never before the first one. None when the
    deal is already in the first stage (it cannot move back)."""
    if position <= 0:
        return None
    return max(position - max(steps, 1), 0)


def median(values):
    ordered = sorted(values)
    count = len(ordered)
    if not count:
        return None
    middle = count // 2
    if count % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def propose_stall_days(
    won_stay_days, multiplier=STALL_MULTIPLIER, cap=STALL_CAP_DAYS, min_sample=STALL_MIN_SAMPLE
):
    """Days after which deals stall in a stage, from the days that won deals
    spent in it: ``multiplier`` x their median, rounded up to a whole day,
    at least 1, at most ``cap``. None with fewer than ``min_sample`` won
    deals (the stage keeps what the user set).

    >>> propose_stall_days([2, 3, 4, 5, 10])
    8
    """
    if len(won_stay_days) < max(min_sample, 1):
        return None
    value = multiplier * median(won_stay_days)
    whole = int(value) if value == int(value) else int(value) + 1
    return max(1, min(whole, cap))


# ---------------------------------------------------------------------------
# Loss reasons
# ---------------------------------------------------------------------------
LOSS_CATEGORY_WORDS = [
    # (category, words found in a reason's name), the first match wins
    ("price", ("expensive", "price", "cost", "cher", "prix")),
    ("competitor", ("competitor", "competition", "concurren")),
    ("no_budget", ("budget",)),
    ("timing", ("timing", "later", "too early", "postpone", "delay")),
    ("no_response", ("no response", "no answer", "unresponsive", "ghost")),
    ("bad_contact", ("contact information", "bad contact", "wrong number", "bounce")),
    ("wrong_person", ("wrong person", "not the right person")),
    ("not_attempted", ("never attempted", "not attempted", "not contacted")),
    (
        "unqualified",
        (
            "not interested",
            "unqualified",
            "not qualified",
            "no need",
            "spam",
            "doesn't fit",
            "not a fit",
        ),
    ),
    ("stalled", ("stalled", "inactive", "went silent")),
]


def guess_loss_category(name):
    """Category of a loss reason guessed from its name where it is obvious
    ("Too expensive" is price), "other" otherwise."""
    text = (name or "").lower()
    for category, words in LOSS_CATEGORY_WORDS:
        if any(word in text for word in words):
            return category
    return "other"


# ---------------------------------------------------------------------------
# Target plans: from a revenue goal back to the deals, prospects and pipeline
# ---------------------------------------------------------------------------
AVERAGE_MONTH_DAYS = 365.25 / 12


def count_up(value):
    """A whole number of deals or prospects: the exact need rounded up once,
    float noise aside (100 / 3 * 3 is 100, not 101)."""
    return math.ceil(round(value, 6))


def conversion_win_rate(conversions):
    """The win rate (%) of a funnel whose stages pass on ``conversions``
    (% of the deals of each stage that move on to the next)."""
    rate = 1.0
    for conversion in conversions:
        rate *= conversion / 100.0
    return rate * 100.0


def mix_win_rate(mix):
    """The win rate (%) of new prospects coming in the ``mix``: pairs of
    (share of the new prospects %, win rate of that origin %)."""
    return sum(share * win_rate for share, win_rate in mix) / 100.0


def cycle_months(cycle_days):
    """The sales cycle in whole months: prospects enter the pipeline this many
    months before their deals close (60 days: 2 months)."""
    return max(0, int(round((cycle_days or 0) / AVERAGE_MONTH_DAYS)))


def plan_months(date_from, date_to):
    """First days of the months from ``date_from``'s to ``date_to``'s."""
    months = []
    month = date(date_from.year, date_from.month, 1)
    while month <= date_to:
        months.append(month)
        month = _shift_months(month, 1)
    return months


def plan_figures(
    months,
    revenue_target,
    average_deal_value,
    win_rate,
    cycle_days,
    weights=None,
    origin_shares=None,
):
    """The exact monthly needs of a plan over ``months`` (first days).

    ``weights`` maps a calendar month (1..12) to its seasonality weight
    (missing: 1); ``origin_shares`` maps an origin type to its share of the
    new prospects (%). Returns a dict: month -> {"revenue", "deals",
    "leads", "pipeline", "leads_by_origin", "in_plan"}. Revenue and deals
    fall in the month the deals close; prospects and pipeline value in the
    month they must enter, ``cycle_months`` earlier, which may lie before the
    plan (``in_plan`` False). Nothing is rounded here: see ``count_up``.
    """
    if revenue_target <= 0 or average_deal_value <= 0:
        raise ValueError("target and average deal value must be positive")
    if not 0 < win_rate <= 100:
        raise ValueError("win rate must lie in ]0, 100]")
    raw = [(weights or {}).get(month.month, 1.0) for month in months]
    total = sum(raw)
    if total <= 0:
        raise ValueError("seasonality weights are all zero")
    shift = cycle_months(cycle_days)
    rate = win_rate / 100.0
    figures = {}

    def line(month):
        return figures.setdefault(
            month,
            {
                "revenue": 0.0,
                "deals": 0.0,
                "leads": 0.0,
                "pipeline": 0.0,
                "leads_by_origin": {},
                "in_plan": month in months,
            },
        )

    for month, weight in zip(months, raw):
        revenue = revenue_target * weight / total
        closing = line(month)
        closing["revenue"] += revenue
        closing["deals"] += revenue / average_deal_value
        entry = line(_shift_months(month, -shift))
        entry["leads"] += revenue / average_deal_value / rate
        entry["pipeline"] += revenue / rate
    for figure in figures.values():
        figure["leads_by_origin"] = {
            origin: figure["leads"] * share / 100.0
            for origin, share in (origin_shares or {}).items()
        }
    return dict(sorted(figures.items()))


def sum_figures(figures):
    """Exact totals of several months' figures (rounded up afterwards)."""
    total = {"revenue": 0.0, "deals": 0.0, "leads": 0.0, "pipeline": 0.0, "leads_by_origin": {}}
    for figure in figures:
        for key in ("revenue", "deals", "leads", "pipeline"):
            total[key] += figure[key]
        for origin, leads in figure["leads_by_origin"].items():
            total["leads_by_origin"][origin] = total["leads_by_origin"].get(origin, 0.0) + leads
    return total


def round_running(amounts, rounding, earlier=()):
    """Amounts per month (``amounts``: month -> exact amount, in month
    order) rounded with ``rounding`` so that they add up: each running
    total is rounded and the differences kept. ``earlier`` are the exact
    rows (month -> amount) rounded before this one in the same table: the
    running total is rounded on top of theirs, month by month, so that the
    rows rounded one after the other also add up per month to their exact
    sum rounded the same way (a team's target split between its members:
    each member's months add up to the member's target, the members' month
    to the team's month). A figure may then lie a cent further from its
    exact value than rounded alone."""
    rounded = {}
    running = done = 0.0
    for month, amount in amounts.items():
        base = sum(value for row in earlier for other, value in row.items() if other <= month)
        running += amount
        total = rounding(base + running) - rounding(base)
        rounded[month] = rounding(total - done)
        done = total
    return rounded


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
