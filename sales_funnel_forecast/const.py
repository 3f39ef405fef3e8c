# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the models, reports, wizards and hooks share: selection lists,
column lists and the keys of the module's system parameters (settings)."""

DEAL_STATES = [("open", "Open"), ("won", "Won"), ("lost", "Lost")]

ORIGIN_TYPES = [
    ("seed", "Seed (referral)"),
    ("net", "Net (inbound marketing)"),
    ("spear", "Spear (outbound prospecting)"),
]

# the columns of a funnel row: what its rebuild writes, what the report
# views over them read
REACH_COLUMNS = [
    "lead_id",
    "stage_id",
    "stage_sequence",
    "date_in",
    "entered",
    "moved_on",
    "deal_state",
    "is_current",
    "is_lost_stage",
    "is_stalled",
    "has_decision_maker",
    "user_id",
    "team_id",
    "company_id",
    "partner_id",
    "source_id",
    "medium_id",
    "campaign_id",
    "origin_type",
    "lead_create_date",
    "date_closed",
    "expected_revenue",
    "invoiced_amount",
]

CONTACT_STATUSES = [
    ("not_attempted", "Not attempted"),
    ("attempted", "Attempted"),
    ("contacted", "Contacted"),
    ("qualified", "Qualified"),
    ("disqualified", "Disqualified"),
]

# the statuses in the order a prospect goes through them
STATUS_RANK = {status: rank for rank, (status, _label) in enumerate(CONTACT_STATUSES)}

CALL_OUTCOMES = [
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
    ("busy", "Busy"),
    ("wrong_number", "Wrong number"),
    ("conversation", "Conversation"),
    ("meeting_booked", "Meeting booked"),
]

# the class of a call's note in the deal's chatter (suffixed with the
# outcome's key, of its outcome; the minutes' class with them); the notes of
# earlier releases begin with the icon alone
CALL_NOTE_CLASS = "o_sff_call"
CALL_NOTE_MINUTES = "o_sff_min_"
# the class the upgrade to 18.0.1.20.0 gave the notes of calls deleted before
CALL_NOTE_DELETED = "o_sff_call_deleted"
CALL_NOTE_START = '<p><i class="fa fa-phone me-1'

# the outcomes where someone was reached: they make a deal "contacted"
CONVERSATION_OUTCOMES = ("conversation", "meeting_booked")

# engine.FORECAST_CATEGORIES with their labels
FORECAST_CATEGORY_SELECTION = [
    ("pipeline", "Pipeline"),
    ("best_case", "Best Case"),
    ("commit", "Commit"),
    ("closed", "Closed (Won)"),
    ("omitted", "Omitted"),
]

LOSS_CATEGORIES = [
    ("bad_contact", "Bad or no contact information"),
    ("no_response", "No response"),
    ("not_attempted", "Never attempted"),
    ("wrong_person", "Wrong person"),
    ("unqualified", "Unqualified"),
    ("competitor", "Lost to a competitor"),
    ("price", "Price"),
    ("timing", "Timing"),
    ("no_budget", "No budget"),
    ("stalled", "Stalled"),
    ("other", "Other"),
]

# categories of a prospect that was never a real buyer: a deal lost for one
# of them is disqualified
DISQUALIFYING_CATEGORIES = (
    "bad_contact",
    "no_response",
    "not_attempted",
    "wrong_person",
    "unqualified",
)

# The steps of a deal flow, in the order a waterfall draws them, with the
# sign each gives the pipeline.
FLOW_STEPS = [
    ("start", "Pipeline at Start"),
    ("new", "New"),
    ("pulled_in", "Pulled In"),
    ("increased", "Amount Increased"),
    ("decreased", "Amount Decreased"),
    ("pushed_out", "Pushed Out"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("end", "Pipeline at End"),
]

FLOW_SIGNS = {
    "start": 1,
    "new": 1,
    "pulled_in": 1,
    "increased": 1,
    "decreased": -1,
    "pushed_out": -1,
    "won": -1,
    "lost": -1,
    "end": 1,
}

# the sign each step gives the pipeline's change over the period: none for
# the steps that are the pipeline itself
CHANGE_SIGNS = dict(FLOW_SIGNS, start=0, end=0)

# the steps as the Deal Flow report names them: numbered, so that grouping
# by step lists them in the order a waterfall draws them
REPORT_STEP_KEYS = {step: f"{index}_{step}" for index, (step, _label) in enumerate(FLOW_STEPS)}
REPORT_STEPS = [(REPORT_STEP_KEYS[step], label) for step, label in FLOW_STEPS]

SALE_DOCUMENTS = ("out_invoice", "out_refund")

# the time zone of the funnel's monthly totals (reports/crm_funnel_summary.py):
# the setting, and the one the totals were worked out in (written by their
# rebuild only)
TZ_PARAM = "sales_funnel_forecast.funnel_summary_tz"

TZ_BUILT_PARAM = "sales_funnel_forecast.funnel_summary_tz_built"

# the lead time, in days, of the second forecast of each period in the
# forecast accuracy report (setting)
ACCURACY_LEAD_DAYS_PARAM = "sales_funnel_forecast.accuracy_lead_days"

DEFAULT_ACCURACY_LEAD_DAYS = 30
# at most: the snapshots go back 24 months
MAX_ACCURACY_LEAD_DAYS = 730

# the spreadsheets the module writes
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the deal's columns every report is cut by (salesperson, team, company,
# customer, source, origin) and that say whether and where it is in the
# pipeline
DEAL_DIMENSIONS = [
    "type",
    "active",
    "stage_id",
    "user_id",
    "team_id",
    "company_id",
    "partner_id",
    "source_id",
    "medium_id",
    "campaign_id",
    "origin_type",
    "create_date",
]
# the deal's columns that the deal reports read (their _depends on crm.lead)
DEAL_DEPENDS = [
    *DEAL_DIMENSIONS,
    "date_deadline",
    "expected_revenue",
    "probability",
    "forecast_revenue",
    "forecast_excluded",
]
# the deal's columns copied on its funnel rows (crm.lead.stage.reach)
REACH_LEAD_FIELDS = [
    *DEAL_DIMENSIONS,
    "lost_stage_id",
    "is_stalled",
    "has_decision_maker",
    "date_closed",
    "expected_revenue",
    "invoiced_amount",
]
