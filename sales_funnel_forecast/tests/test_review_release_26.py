# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review of 18.0.1.26.0, as its next maintainer: the release's changes on
the paths beside the ones its own tests take."""

from odoo.tests import tagged

from .common import FunnelCase


@tagged("post_install", "-at_install")
class TestReviewRelease26(FunnelCase):
    def test_duplicated_catalogue_is_told_apart_in_every_language(self):
        """The team form lists catalogues by name in its reader's language.
        Mona, in English, duplicates "Simple sales (5 steps)" (in French
        "Ventes simples (5 étapes)"): the copy reads "Simple sales (5
        steps) (copy)" in English and "Ventes simples (5 étapes) (copie)"
        in French, not the original's French name (two identical choices
        for a French manager). Duplicated in French, the same two names."""
        self.env["res.lang"]._activate_lang("fr_FR")
        catalogue = self.env.ref("sales_funnel_forecast.catalogue_simple")
        catalogue.with_context(lang="fr_FR").name = "Ventes simples (5 étapes)"
        self.env["ir.module.module"]._load_module_terms(
            ["sales_funnel_forecast"], ["fr_FR"], overwrite=True
        )
        for lang in ("en_US", "fr_FR"):
            copy = catalogue.with_context(lang=lang).copy()
            self.assertEqual(
                (
                    copy.with_context(lang="en_US").name,
                    copy.with_context(lang="fr_FR").name,
                ),
                ("Simple sales (5 steps) (copy)", "Ventes simples (5 étapes) (copie)"),
                lang,
            )
