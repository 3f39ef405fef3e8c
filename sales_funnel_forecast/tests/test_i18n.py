# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import re
from pathlib import Path

import openpyxl
import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader, TranslationModuleReader

from ..tools.formats import excel_date_format
from .test_funnel_report import FunnelReportCase

I18N = Path(__file__).resolve().parent.parent / "i18n"
# the languages the module ships, beside English
LANGUAGES = {"fr", "hr", "pl", "ro", "sv", "zh_CN"}
# what a translation must keep: the placeholders of Python and JavaScript
# strings, the HTML entities, and the tags of view terms, whose title,
# aria-label, placeholder and alt texts are translated
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[A-Za-z_][\w.]*\}|&\w+;")
TAG = re.compile(r"<[^>]+>")
FREE_ATTRIBUTE = re.compile(r'\b(title|aria-label|placeholder|alt)="[^"]*"')


def shape(text):
    """What a term and its translation have in common."""
    return (
        sorted(PLACEHOLDER.findall(text)),
        [FREE_ATTRIBUTE.sub(r'\1=""', tag) for tag in TAG.findall(text)],
        text != text.lstrip(),
        text != text.rstrip(),
    )


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """Every shipped language translates every string of the .pot, which
    holds what the code has to translate, and keeps what the code fills in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pot = polib.pofile(str(I18N / "sales_funnel_forecast.pot"))
        cls.catalogues = {path.stem: polib.pofile(str(path)) for path in sorted(I18N.glob("*.po"))}

    def test_the_pot_holds_the_code_s_terms(self):
        terms = {
            row[4]
            for row in TranslationModuleReader(self.env.cr, modules=["sales_funnel_forecast"])
        }
        pot = {entry.msgid for entry in self.pot}
        self.assertFalse(terms - pot, "strings of the code missing from the .pot: run scripts/i18n")
        self.assertFalse(pot - terms, "strings of the .pot gone from the code: run scripts/i18n")

    def test_every_language_translates_every_string(self):
        self.assertEqual(set(self.catalogues), LANGUAGES)
        expected = {entry.msgid for entry in self.pot}
        for lang, catalogue in self.catalogues.items():
            with self.subTest(lang=lang):
                self.assertEqual(catalogue.metadata["Language"], lang)
                entries = {entry.msgid: entry for entry in catalogue if not entry.obsolete}
                self.assertEqual(set(entries), expected, "run scripts/i18n, then translate")
                for msgid, entry in entries.items():
                    self.assertTrue(entry.msgstr, f"{lang}: {msgid!r} is not translated")
                    self.assertNotIn("fuzzy", entry.flags, f"{lang}: {msgid!r} is fuzzy")
                    self.assertEqual(
                        shape(entry.msgstr),
                        shape(msgid),
                        f"{lang}: {msgid!r} -> {entry.msgstr!r} does not keep its placeholders",
                    )

    def test_translated_report_file_names_are_python(self):
        """A report's file name is a Python expression, translated as one."""
        names = [
            entry
            for entry in self.pot
            if any("print_report_name" in where for where, _line in entry.occurrences)
        ]
        self.assertTrue(names)
        for lang, catalogue in self.catalogues.items():
            for entry in names:
                translated = catalogue.find(entry.msgid).msgstr
                with self.subTest(lang=lang, name=entry.msgid):
                    compile(translated, "print_report_name", "eval")

    def test_catalogues_load_into_odoo(self):
        """Each catalogue loads as Odoo reads .po files, with every term."""
        expected = {entry.msgid for entry in self.pot}
        for lang in self.catalogues:
            with self.subTest(lang=lang):
                translated = {
                    row["src"] for row in PoFileReader(str(I18N / f"{lang}.po")) if row["value"]
                }
                self.assertEqual(translated, expected)


@tagged("post_install", "-at_install")
class TestExportsInTheUsersLanguage(FunnelReportCase):
    """The dashboard, the PDF and the spreadsheet speak the user's language
    and write its dates and numbers as it does: Polish and Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("pl_PL", "zh_CN"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["sales_funnel_forecast"], ["pl_PL", "zh_CN"], overwrite=True
        )
        cls.po = {
            "pl_PL": polib.pofile(str(I18N / "pl.po")),
            "zh_CN": polib.pofile(str(I18N / "zh_CN.po")),
        }

    def tr(self, lang, msgid):
        return self.po[lang].find(msgid).msgstr

    def test_dashboard_speaks_the_language(self):
        """The dashboard's own texts come to the browser in the language."""
        web_terms = [
            entry.msgid
            for entry in self.po["pl_PL"]
            if any("/static/src/" in where for where, _line in entry.occurrences)
        ]
        self.assertGreater(len(web_terms), 40)
        for lang in ("pl_PL", "zh_CN"):
            translations, params = self.env["ir.http"].get_translations_for_webclient(
                ["sales_funnel_forecast"], lang
            )
            messages = translations["sales_funnel_forecast"]["messages"]
            texts = {message["id"]: message["string"] for message in messages}
            self.assertEqual(texts, {msgid: self.tr(lang, msgid) for msgid in web_terms})
            self.assertEqual(params["code"], lang)

    def test_spreadsheet_and_pdf_in_polish_and_chinese(self):
        self.build()
        params = {
            "team_id": self.team.id,
            "period": "custom",
            "date_from": "2026-03-01",
            "date_to": "2026-04-01",
        }
        expected = {
            "pl_PL": ("01.03.2026", "31.03.2026"),
            "zh_CN": ("2026年03月01日", "2026年03月31日"),
        }
        for lang, (start, end) in expected.items():
            with self.subTest(lang=lang):
                Dashboard = self.env["crm.funnel.dashboard"].with_context(lang=lang)
                content, name = Dashboard._sff_xlsx(params)
                book = openpyxl.load_workbook(io.BytesIO(content))
                self.assertEqual(
                    book.sheetnames[:3],
                    [
                        self.tr(lang, "Funnel"),
                        self.tr(lang, "Conversion"),
                        self.tr(lang, "Forecast"),
                    ],
                )
                subtitle = Dashboard._sff_subtitle(Dashboard._sff_data(params))
                self.assertIn(
                    self.tr(lang, "%(start)s to %(end)s") % {"start": start, "end": end}, subtitle
                )
                self.assertTrue(name.endswith(".xlsx"))
                # the stage names are the stages' own, translated where they are
                funnel = book[self.tr(lang, "Funnel")]
                self.assertEqual(funnel["A5"].value, self.tr(lang, "Stage"))
                # the PDF's texts
                html = (
                    self.env["ir.actions.report"]
                    .with_context(lang=lang)
                    ._render_qweb_html(
                        "sales_funnel_forecast.action_report_funnel",
                        [],
                        data={"sff_params": params},
                    )[0]
                    .decode()
                )
                self.assertIn(f"<h2>{self.tr(lang, 'Sales funnel')}</h2>", html)
                self.assertIn(f"<th>{self.tr(lang, 'Stage')}</th>", html)
                self.assertIn(start, html)
                self.assertNotIn("<h2>Sales funnel</h2>", html)

    def test_spreadsheet_dates_in_the_language_s_format(self):
        for lang, excel in (("pl_PL", "dd.mm.yyyy"), ("zh_CN", 'yyyy"年"mm"月"dd"日"')):
            with self.subTest(lang=lang):
                self.assertEqual(excel_date_format(self.env(context={"lang": lang})), excel)
        self.assertEqual(excel_date_format(self.env(context={"lang": "en_US"})), "mm/dd/yyyy")
