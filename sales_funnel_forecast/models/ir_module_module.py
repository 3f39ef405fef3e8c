# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        """A language installed (or its terms loaded again): the stages made
        from a catalogue's steps take the steps' names in it, as the steps
        have them."""
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if "sales_funnel_forecast" in modules and "crm.stage" in self.env:
            # sudo: every team's stages, whoever installs the language
            self.env["crm.stage"].sudo()._sff_translate_catalogue_stages(langs)
        return result
