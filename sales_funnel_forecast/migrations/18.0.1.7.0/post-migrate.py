# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.6.0 -> 18.0.1.7.0: the stage history and the funnel rows lose
their index on (stage, entry date). No report or job read rows through it
(each filters on the entry date alone, which keeps its own index, or on the
deal), while every stage change wrote to it and every install built it."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS crm_lead_stage_history_stage_date_in_idx")
    cr.execute("DROP INDEX IF EXISTS crm_lead_stage_reach_stage_date_in_idx")
