# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The PDFs and spreadsheets, read as their reader reads them: each figure
whole on its line, cells that add up, dates that sort as dates."""

import re

from lxml import html as lxml_html

from odoo.tests import tagged

from .common import FunnelCase, make_plan


def cell_text(cell):
    """A printed cell's text, its runs of spaces and new lines as one space
    (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", cell.text_content()).strip()


def unbreakable(cell):
    """Whether a printed cell keeps its text on one line: no space at which
    wkhtmltopdf may wrap it, or marked not to wrap."""
    return "text-nowrap" in (cell.get("class") or "").split() or " " not in cell_text(cell)


@tagged("post_install", "-at_install")
class TestDocumentsRead(FunnelCase):
    def test_plan_pdf_keeps_percentages_and_days_on_one_line(self):
        """A French manager prints a plan of 120,000 at 1,000 a deal, 20 %
        won, nothing invoiced: the 17 periods (the year, 4 quarters, 12
        months) read "0,0 %" in the narrow Attainment column, the win rate
        "20,0 %" and the sales cycle "0 jours", each on one line (the " %"
        fell under the figure on a line of its own, "116,1" over "%",
        which doubled the rows of a rep's plan and pushed it onto a second
        page)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        plan = make_plan(self.env, self.team)
        page = lxml_html.fromstring(
            self.env["ir.actions.report"]
            .with_context(lang="fr_FR")
            ._render_qweb_html("sales_funnel_forecast.action_report_target_plan", plan.ids)[0]
        )
        rows = page.xpath("//table[contains(@class, 'o_sff_plan_table')]/tbody/tr")
        self.assertEqual(len(rows), 17)
        attainments = [row.xpath("td")[3] for row in rows]
        self.assertEqual({cell_text(cell) for cell in attainments}, {"0,0 %"})
        self.assertEqual([unbreakable(cell) for cell in attainments], [True] * 17)
        summary = page.xpath("//div[hasclass('o_sff_target_plan')]/table[1]//td")
        self.assertEqual(cell_text(summary[5]), "20,0 %")
        self.assertRegex(cell_text(summary[7]), r"^0 \w+$")
        self.assertEqual([unbreakable(summary[5]), unbreakable(summary[7])], [True, True])
