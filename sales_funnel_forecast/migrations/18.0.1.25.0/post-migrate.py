# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""-> 18.0.1.25.0: the calls' origin type, medium, campaign and customer
industry are new columns, filled from their deals when the upgrade adds
them. An upgrade from before 18.0.1.24.0 changes the origin type of chat
and event leads after that (18.0.1.24.0's step runs after the columns are
added): the calls take it too.

The statement is this migration's own (frozen)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE crm_lead_call c SET origin_type = l.origin_type
             FROM crm_lead l
            WHERE l.id = c.lead_id AND c.origin_type IS DISTINCT FROM l.origin_type"""
    )
