# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.14.0 -> 18.0.1.15.0: the forecast versions say whether the deal
was out of the forecast, and a converted lead's first version has no slip.

- Until now a weekly snapshot weighed every deal in the Omitted category at
  0, while the deal itself (and the revenue forecast) weighs at 0 only the
  deals out of the forecast: one that a salesperson or its stage put in
  Omitted still counts. The new column is filled for the versions in force
  (from the deals) and for the past open versions in Omitted (from the
  chatter's tracking of "Out of Forecast", else as the deal stands); the
  others were in the forecast, as their category says. The snapshot days on
  which such a deal was open are taken again at the end of the upgrade.
- A lead converted with another expected closing date in the same save got
  a slip on its first version, measured from the lead's date: removed from
  every version that does not follow one of its deal at the same moment."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET forecast_excluded = TRUE
             FROM crm_lead l
            WHERE l.id = v.lead_id AND v.valid_to IS NULL AND l.forecast_excluded"""
    )
    cr.execute(
        "SELECT id FROM ir_model_fields WHERE model = 'crm.lead' AND name = 'forecast_excluded'"
    )
    field = cr.fetchone()
    cr.execute(
        """UPDATE crm_lead_forecast_version v
              SET forecast_excluded = COALESCE(
                  -- the last tracked value at the version's start
                  (SELECT t.new_value_integer <> 0
                     FROM mail_tracking_value t
                     JOIN mail_message m ON m.id = t.mail_message_id
                    WHERE m.model = 'crm.lead' AND m.res_id = v.lead_id
                      AND t.field_id = %(field)s AND m.date <= v.valid_from
                 ORDER BY m.date DESC, t.id DESC LIMIT 1),
                  -- else the value the first change after it left
                  (SELECT t.old_value_integer <> 0
                     FROM mail_tracking_value t
                     JOIN mail_message m ON m.id = t.mail_message_id
                    WHERE m.model = 'crm.lead' AND m.res_id = v.lead_id
                      AND t.field_id = %(field)s AND m.date > v.valid_from
                 ORDER BY m.date, t.id LIMIT 1),
                  COALESCE(l.forecast_excluded, FALSE))
             FROM crm_lead l
            WHERE l.id = v.lead_id AND v.valid_to IS NOT NULL
              AND v.deal_state = 'open' AND v.forecast_category = 'omitted'""",
        {"field": field[0] if field else None},
    )
    cr.execute(
        """UPDATE crm_lead_forecast_version v SET slip_days = NULL
            WHERE v.slip_days IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM crm_lead_forecast_version b
                               WHERE b.lead_id = v.lead_id AND b.valid_to = v.valid_from)"""
    )
    request(cr, "omitted_snapshots")
