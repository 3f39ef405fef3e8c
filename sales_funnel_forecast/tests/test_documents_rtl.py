# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
import subprocess
import tempfile
from unittest.mock import patch

import openpyxl

from odoo import fields
from odoo.tests import tagged
from odoo.tools.translate import code_translations

from .common import FUNNEL_BAR_COLOURS, pdf_first_page
from .test_funnel_report import FunnelReportCase

COLOURS = FUNNEL_BAR_COLOURS


def bar_parts(pdf):
    """The funnel's bars on the PDF's first page, top to bottom, each as
    its coloured parts from the page's left edge to its right:
    [("won", 20), ("moved on", 80)] is a bar green on its first fifth from
    the left, grey on the rest (percentages of the bar's width)."""
    page = pdf_first_page(pdf)
    width, height = page.size
    pixels = page.load()

    def colour(x, y):
        for name, want in COLOURS.items():
            if all(abs(channel - value) <= 4 for channel, value in zip(pixels[x, y], want)):
                return name
        return None

    bars, previous = [], None
    for y in range(height):
        xs = [x for x in range(width) if colour(x, y)]
        # a bar's row: one solid run of a few pixels at least (not text, not
        # a legend's swatch)
        if not (len(xs) > 8 and len(xs) == xs[-1] - xs[0] + 1):
            previous = None
            continue
        runs = []
        for x in xs:
            name = colour(x, y)
            if runs and runs[-1][0] == name:
                runs[-1][1] += 1
            else:
                runs.append([name, 1])
        parts = [(name, round(100 * size / len(xs))) for name, size in runs]
        if parts != previous:
            bars.append(parts)
        previous = parts
    return bars


def printed_line(pdf, word):
    """The line of the PDF's first page that holds ``word``, as its words
    from the page's left edge to its right, a " | " where they are set
    more than 8 points apart (a wider space than between words or a
    label and its figure). Poppler's pdftotext gives the words' boxes."""
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/document.pdf", "wb") as handle:
            handle.write(pdf)
        subprocess.run(
            [
                "pdftotext",
                "-bbox",
                "-f",
                "1",
                "-l",
                "1",
                f"{folder}/document.pdf",
                f"{folder}/words.html",
            ],
            check=True,
        )
        with open(f"{folder}/words.html", encoding="utf-8") as handle:
            page = handle.read()
    words = [
        (float(left), float(right), float(top), text)
        for left, top, right, text in re.findall(
            r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="[0-9.]+">'
            r"([^<]*)</word>",
            page,
        )
    ]
    [line_top] = {top for _left, _right, top, text in words if text == word}
    line = sorted(
        (left, right, text) for left, right, top, text in words if abs(top - line_top) < 1
    )
    printed, end = [], None
    for left, right, text in line:
        if end is not None and left - end > 8:
            printed.append("|")
        printed.append(text)
        end = right
    return " ".join(printed)


@tagged("post_install", "-at_install")
class TestDocumentsRtl(FunnelReportCase):
    """The module's documents (PDFs, spreadsheets and their names) in a
    right-to-left language, and in English as before."""

    def print_funnel(self, lang):
        self.env["res.lang"]._activate_lang(lang)
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.manager.lang = lang
        wizard = (
            self.env["crm.funnel.export"]
            .with_user(self.manager)
            .create({"team_id": self.team.id, "period": "all"})
        )
        return (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .with_context(force_report_rendering=True, lang=lang)
            ._render_qweb_pdf("sales_funnel_forecast.action_report_funnel", wizard.ids)[0]
        )

    def test_funnel_pdf_bars_start_from_the_reading_side(self):
        """Each bar of the funnel's PDF shows, from the side the page reads
        from, its won deals (green), its deals lost there (red) and those
        open there (blue), the deals that moved on (grey) last. A 5 deals
        reached: 1 lost there (d5), 1 open there (d3), 1 won (d1): 20 %
        green, 20 % red, 20 % blue, 40 % grey; B 4: 1 won, 1 open (d4):
        25, 25, 50 grey; C 2: 1 won, 1 lost: 50, 50; W 1: won. In
        English they read from the left; in Arabic the colours still
        started from the left, the grey first where the reader begins.
        Right to left they now start from the right."""
        self.build()
        from_the_left = [
            [("won", 20), ("lost", 20), ("open", 20), ("moved on", 40)],
            [("won", 25), ("open", 25), ("moved on", 50)],
            [("won", 50), ("lost", 50)],
            [("won", 100)],
        ]
        self.assertEqual(bar_parts(self.print_funnel("en_US")), from_the_left)
        self.assertEqual(
            bar_parts(self.print_funnel("ar_001")),
            [list(reversed(parts)) for parts in from_the_left],
        )

    def test_target_plan_pdf_spaces_its_pairs_on_the_reading_side(self):
        """The target plan's PDF prints its figures in two pairs a line:
        "Revenue target 100,000.00", then, set apart, "Average deal value
        1,000.00". In Arabic the space that sets the second pair apart fell
        on its left (padding-left), between the label and its own figure,
        and the two pairs ran into each other."""
        plan = self.env["crm.target.plan"].create(
            {
                "name": "Plan",
                "team_id": self.team.id,
                "date_from": "2026-01-01",
                "date_to": "2026-12-31",
                "revenue_target": 100000,
                "average_deal_value": 1000,
            }
        )
        lines = {}
        for lang in ("en_US", "ar_001"):
            self.env["res.lang"]._activate_lang(lang)
            self.manager.lang = lang
            pdf = (
                self.env["ir.actions.report"]
                .with_user(self.manager)
                .with_context(force_report_rendering=True, lang=lang)
                ._render_qweb_pdf("sales_funnel_forecast.action_report_target_plan", plan.ids)[0]
            )
            lines[lang] = printed_line(pdf, "Average")
        self.assertEqual(
            lines,
            {
                "en_US": "Revenue target $ 100,000.00 | Average deal value $ 1,000.00",
                "ar_001": "1,000.00 $ Average deal value | 100,000.00 $ Revenue target",
            },
        )

    def downloads(self, lang):
        """The sheets' names of the funnel's and the Forecast screen's
        spreadsheets, downloaded by the manager in ``lang``."""
        self.env["res.lang"]._activate_lang(lang)
        self.manager.lang = lang
        manager = self.env(user=self.manager, context={"lang": lang})
        team = {"team_id": self.team.id}
        files = (
            manager["crm.funnel.dashboard"]._sff_xlsx(dict(team, period="all"))[0],
            manager["crm.forecast.submission"]._sff_forecast_xlsx(team)[0],
        )
        return [openpyxl.load_workbook(io.BytesIO(content)).sheetnames for content in files]

    def test_sheet_names_from_any_translation(self):
        """A sheet is named by its translation, which Excel takes only short
        (31 characters at most), without [ ] : * ? / \\, not starting or
        ending with an apostrophe, unlike the workbook's other sheets and
        not "History" (Excel's own). Odoo drops the signs and cuts at 31
        characters, gluing the words around a slash; translated into
        Arabic with two names alike in their first 31 characters, or one
        between apostrophes, the download failed (xlsxwriter refused the
        name). The names are now made fit: [ ] replaced by ( ), : / \\ by
        -, * ? dropped, cut at 31 characters, apostrophes and spaces at the
        ends dropped, a second sheet of the same name numbered (2). In
        English, the names are as before."""
        self.build()
        self.assertEqual(
            self.downloads("en_US"),
            [
                ["Funnel", "Conversion", "Forecast", "Losses", "Quota attainment"],
                ["Forecast by salesperson", "Deal flow", "Accuracy by period"],
            ],
        )
        code_translations.get_python_translations("sales_funnel_forecast", "ar_001")
        arabic = {
            # a colon and a slash (29 characters)
            "Funnel": "قمع المبيعات: المراحل/النتائج",
            # 44 characters
            "Conversion": "نسبة التحويل من كل مرحلة إلى المرحلة التالية",
            "Forecast": "التوقعات [الإيرادات]",
            # 44 characters, the same first 31 as Conversion's
            "Losses": "نسبة التحويل من كل مرحلة إلى المرحلة السابقة",
            "Quota attainment": "'تحقيق الحصة'",
            # 37 characters, the 31st a space
            "Forecast by salesperson": "التوقعات حسب مندوب المبيعات في الفريق",
            "Deal flow": "تدفق الصفقات?",
            # Excel's own name, left in English
            "Accuracy by period": "History",
        }
        with patch.dict(
            code_translations.python_translations,
            {("sales_funnel_forecast", "ar_001"): arabic},
        ):
            names = self.downloads("ar_001")
        self.assertEqual(
            names,
            [
                [
                    "قمع المبيعات- المراحل-النتائج",
                    "نسبة التحويل من كل مرحلة إلى ال",
                    "التوقعات (الإيرادات)",
                    "نسبة التحويل من كل مرحلة إل (2)",
                    "تحقيق الحصة",
                ],
                ["التوقعات حسب مندوب المبيعات في", "تدفق الصفقات", "History (2)"],
            ],
        )

    def test_download_names_without_the_team_names_spaces(self):
        """A team named with spaces around its name (imported, or written
        over RPC, which Odoo does not trim) gave the spreadsheets file names
        with them, two spaces on each side: "Funnel   Europe / West  ...".
        The team's name in a file name is now trimmed, its / and \\ made -,
        in Arabic as in English."""
        self.build()
        self.team.name = "  Europe / West\\  "
        today = fields.Date.context_today(self.env["crm.lead"].with_user(self.manager))
        for lang in ("en_US", "ar_001"):
            self.env["res.lang"]._activate_lang(lang)
            manager = self.env(user=self.manager, context={"lang": lang})
            team = {"team_id": self.team.id}
            names = [
                manager["crm.funnel.dashboard"]._sff_xlsx(dict(team, period="all"))[1],
                manager["crm.forecast.submission"]._sff_forecast_xlsx(team)[1],
            ]
            self.assertEqual(
                names,
                [
                    f"Funnel Europe - West- {today}.xlsx",
                    # the forecast of the month
                    f"Forecast Europe - West- {today.replace(day=1)}.xlsx",
                ],
                lang,
            )
