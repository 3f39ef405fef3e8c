# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the report views' SQL shares: a view created from a SELECT, and
whether a deal's stage is won. The report mixins are in files of their
own (crm_report_query_mixin, crm_funnel_report_mixin,
crm_funnel_report_deal_mixin)."""

from odoo import tools
from odoo.tools import SQL


def create_view(model, query):
    """The report view of ``model`` (a model with ``_auto = False``) made
    from the SELECT ``query``."""
    tools.drop_view_if_exists(model.env.cr, model._table)
    model.env.cr.execute(
        SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(model._table), query)
    )


# The call whose note a message ``m`` is (alias ``c``; the first, should
# two name it), joined to the messages the reports read
REPORT_ACTIVITY_CALL = SQL(
    """LEFT JOIN LATERAL (SELECT c.id, c.user_id, c.team_id, c.company_id
                            FROM crm_lead_call c WHERE c.message_id = m.id
                           ORDER BY c.id LIMIT 1) c ON TRUE"""
)
# The deal's messages (alias ``m``, of the deal ``l``, with the call ``c``
# whose note the message is, REPORT_ACTIVITY_CALL) that the reports count as
# activities: activities marked done, messages and notes written (not the
# emails, which Odoo also writes by itself), text messages sent, and the
# notes of the calls logged (a call is one activity whichever way it is
# logged: a phone activity marked done, or the Log a Call dialog, whose
# note is a system note of the chatter) ...
REPORT_ACTIVITY = SQL(
    """(m.mail_activity_type_id IS NOT NULL OR m.message_type IN ('comment', 'sms')
        OR c.id IS NOT NULL)"""
)
# ... counted for the deal's salesperson, team and company, a call's for
# who made it, in the team and company of the deal at the call (as the
# calls count)
REPORT_ACTIVITY_OWNER = SQL(
    """CASE WHEN c.id IS NULL THEN l.user_id ELSE c.user_id END,
       CASE WHEN c.id IS NULL THEN l.team_id ELSE c.team_id END,
       CASE WHEN c.id IS NULL THEN l.company_id ELSE c.company_id END"""
)


def in_won_stage(stage_column):
    """Whether the stage ``stage_column`` (an SQL column) is a won stage,
    without joining the stages: the won stages' ids are read once per
    query (an init plan), so that a report over every deal pays a lookup
    in a short array per deal instead of a join, which PostgreSQL can then
    leave out of the queries that read no other column of the stage."""
    return SQL(
        "COALESCE(%s = ANY(ARRAY(SELECT id FROM crm_stage WHERE is_won)), FALSE)", stage_column
    )


def currency_companies(env):
    """The selected companies whose amounts a screen adds up: those that
    keep their books in the current company's currency, the one it shows
    amounts in (amounts in two currencies do not add up)."""
    currency = env.company.currency_id
    return env.companies.filtered(lambda company: company.currency_id == currency)


def currency_company_domain(env):
    """The rows of ``currency_companies`` (and of no company)."""
    return [("company_id", "in", currency_companies(env).ids + [False])]
