# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ImportEmptyCellMixin(models.AbstractModel):
    """Records whose fields ``_sff_empty_cell_fields`` read an empty cell of
    an imported file (or of ``load()`` over RPC), which comes as False, as
    no value: a new record takes what the form proposes (its default, or
    the figure worked out for it), a record updated keeps its own. A 0 typed
    in the cell stays 0."""

    _name = "crm.import.empty.cell.mixin"
    _description = "Empty Cells of an Import Read as No Value"
    _sff_empty_cell_fields = ()

    def _sff_without_empty_cells(self, vals):
        if any(vals.get(name) is False for name in self._sff_empty_cell_fields):
            return {
                key: value
                for key, value in vals.items()
                if not (key in self._sff_empty_cell_fields and value is False)
            }
        return vals

    def _load_records_create(self, vals_list):
        return super()._load_records_create(
            [self._sff_without_empty_cells(vals) for vals in vals_list]
        )

    def _load_records_write(self, values):
        return super()._load_records_write(self._sff_without_empty_cells(values))
