# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

import openpyxl

from odoo.tests import tagged

from .common import FUNNEL_BAR_COLOURS, pdf_first_page
from .test_funnel_report import FunnelReportCase

BAR_COLOURS = list(FUNNEL_BAR_COLOURS.values())


def bar_spans(pdf):
    """The funnel's bars on the PDF's first page, top to bottom, as the
    (first, last) pixel columns they cover (poppler's pdftoppm)."""
    page = pdf_first_page(pdf)
    width, height = page.size
    pixels = page.load()

    def coloured(x, y):
        return any(
            all(abs(channel - want) <= 4 for channel, want in zip(pixels[x, y], colour))
            for colour in BAR_COLOURS
        )

    spans, previous = [], None
    for y in range(height):
        xs = [x for x in range(width) if coloured(x, y)]
        # a bar's row: one solid run of a few pixels at least (not text, not
        # a legend's swatch)
        span = (xs[0], xs[-1]) if len(xs) > 8 and len(xs) == xs[-1] - xs[0] + 1 else None
        if span and span != previous:
            spans.append(span)
        previous = span
    return spans


@tagged("post_install", "-at_install")
class TestScriptsAndNames(FunnelReportCase):
    """The module used in right-to-left languages, other scripts, and with
    names of every kind."""

    def test_funnel_pdf_drawing_is_centred_right_to_left(self):
        """The PDF draws the funnel centred, each bar as wide as the deals
        that reached its stage: A 5, B 4, C 2, W 1, bars of 100, 80, 40 and
        20 % with a gap of 0, 10, 30 and 40 % on each side. Printed in
        Arabic (the page right to left), the bars hung from the right
        edge, one gap of 0, 20, 60 and 80 % on the left: a staircase, no
        funnel."""
        self.build()
        self.env["res.lang"]._activate_lang("ar_001")
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.manager.lang = "ar_001"
        wizard = (
            self.env["crm.funnel.export"]
            .with_user(self.manager)
            .create({"team_id": self.team.id, "period": "all"})
        )
        pdf = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("sales_funnel_forecast.action_report_funnel", wizard.ids)[0]
        )
        spans = bar_spans(pdf)
        self.assertEqual(len(spans), 4, spans)
        left, right = spans[0]
        drawing = right - left
        gaps = [
            (round(100 * (first - left) / drawing), round(100 * (right - last) / drawing))
            for first, last in spans
        ]
        self.assertEqual(gaps, [(0, 0), (10, 10), (30, 30), (40, 40)])

    def test_spreadsheets_read_right_to_left_in_arabic(self):
        """A manager working in Arabic downloads the funnel (five sheets)
        and the Forecast screen (three): every sheet reads right to left,
        column A on the right, as the PDF of the same figures; they were
        all left to right. In English, all stay left to right."""
        self.build()
        self.env["res.lang"]._activate_lang("ar_001")
        for lang, right_to_left in (("ar_001", True), ("en_US", None)):
            self.manager.lang = lang
            manager = self.env(user=self.manager, context={"lang": lang})
            funnel = manager["crm.funnel.dashboard"]._sff_xlsx(
                {"team_id": self.team.id, "period": "all"}
            )[0]
            forecast = manager["crm.forecast.submission"]._sff_forecast_xlsx(
                {"team_id": self.team.id}
            )[0]
            directions = [
                sheet.sheet_view.rightToLeft
                for content in (funnel, forecast)
                for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets
            ]
            self.assertEqual(directions, [right_to_left] * 8, lang)

    def test_call_note_keeps_its_lines_in_the_chatter(self):
        """A rep logs a call with a note of two lines, in Arabic, with < and
        &: the deal's chatter shows the two lines, escaped, as Odoo shows an
        activity's feedback (its lines ran into one); a reinstall reading
        the call's note back from the chatter gets the two lines again."""
        deal = self.make_deal("صفقة", self.a)
        typed = "طلب عرض <سعر> & خصم\nاتصل يوم الاثنين"
        wizard = (
            self.env["crm.lead.call.log"]
            .with_user(self.rep)
            .create({"lead_id": deal.id, "note": typed})
        )
        wizard.with_context(sff_call_outcome="conversation").action_log()
        call = deal.call_ids
        self.assertEqual(len(call), 1)
        body = str(call.message_id.body)
        self.assertTrue(
            body.endswith("<p>طلب عرض &lt;سعر&gt; &amp; خصم<br>اتصل يوم الاثنين</p>"), body
        )
        # the call gone with the module, its note left in the chatter
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead_call SET note = NULL WHERE id = %s", [call.id])
        self.env["crm.lead"]._sff_call_notes_again({call.id: call.message_id.id})
        call.invalidate_recordset(["note"])
        self.assertEqual(call.note, typed)
