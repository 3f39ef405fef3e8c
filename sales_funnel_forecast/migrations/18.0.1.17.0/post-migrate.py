# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.16.0 -> 18.0.1.17.0: deals lost then restored before the install
were out of the pipeline in between.

The install rebuilt their stays from the chatter as if they had stayed in
their stage all along; the rebuild now ends a stay when the chatter tracked
the deal's archiving and starts another in the same stage at its
restoration, as the live path writes them. The upgrade cuts the stays
rebuilt before, marks the versions of those times lost, works out the
deals' funnel rows again, and has the snapshot job take the days of those
times again (then the accuracy lines)."""

from odoo.addons.sales_funnel_forecast.install.rebuild import request


def migrate(cr, version):
    if not version:
        return
    request(cr, "lost_periods")
