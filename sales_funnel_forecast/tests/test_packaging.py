# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What Odoo's own test runner finds of the module's tests."""

import importlib
from pathlib import Path

from odoo.tests import BaseCase, tagged
from odoo.tests.loader import get_test_modules


@tagged("post_install", "-at_install")
class TestPackaging(BaseCase):
    def test_odoo_runs_every_test_file(self):
        """Odoo's runner (``odoo-bin --test-enable``, as OCA's CI and
        integrators run it) runs the test files that ``tests/__init__.py``
        imports, where pytest finds them all: 20 files were run by pytest
        only."""
        files = {path.stem for path in Path(__file__).parent.glob("test_*.py")}
        module = importlib.import_module(__package__).__name__.split(".")[2]
        found = {test_module.__name__.rsplit(".", 1)[1] for test_module in get_test_modules(module)}
        self.assertEqual(files - found, set())
