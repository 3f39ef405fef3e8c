# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers of the module's models, reports and wizards: bulk loading of its
tables, and the notifications its buttons answer with."""
