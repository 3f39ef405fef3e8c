# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL

from .common import create_view


class ReportQueryMixin(models.AbstractModel):
    """A report view's query in parts, as Odoo's sale.report and
    crm.activity.report build theirs: another module adds a column by
    extending _select() (and _join() for the table it comes from) with
    super(), without copying the query. A view made of a union reads it as
    a subquery in _from(); one made of steps, as common table expressions
    in _with()."""

    _name = "crm.report.query.mixin"
    _description = "Report View Query"

    def _with(self):
        """The common table expressions the query starts with, or empty (an
        extension adds its own after ``super()``'s with a comma when that is
        not empty; likewise ``AND`` in ``_where``)."""
        return SQL()

    def _select(self):
        """The view's columns (SQL), the report's ``id`` among them."""
        return None

    def _from(self):
        """The table (or subquery) the rows come from, with its alias."""
        return None

    def _join(self):
        """The other tables, each with its JOIN clause."""
        return SQL()

    def _where(self):
        """The condition on the rows, or empty for every row."""
        return SQL()

    def _group_by(self):
        """The columns the rows are grouped by, or empty."""
        return SQL()

    def _query(self):
        """The view's SELECT, from its parts."""
        with_, where, group_by = self._with(), self._where(), self._group_by()
        return SQL(
            # a line a part: a part ending with a -- comment ends only itself
            "%s\nSELECT %s\nFROM %s\n%s\n%s\n%s",
            SQL("WITH %s", with_) if with_ else SQL(),
            self._select(),
            self._from(),
            self._join(),
            SQL("WHERE %s", where) if where else SQL(),
            SQL("GROUP BY %s", group_by) if group_by else SQL(),
        )

    def init(self):
        # a report stored in a table of its own (the accuracy lines) is no
        # view; the reports built otherwise (the funnel totals) leave _from()
        # empty
        if not self._auto and self._from() is not None:
            create_view(self, self._query())
