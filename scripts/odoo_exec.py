"""Run Python code read from standard input with ``env`` (superuser) on an
Odoo database, then commit. Used by the lifecycle checks and the benchmark.
Usage: python scripts/odoo_exec.py [odoo options: -d DB --addons-path ...] < code.py
"""

import sys

import odoo
from odoo.tools import config


def main():
    config.parse_config(sys.argv[1:], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), {"env": env})  # noqa: S102
        cr.commit()


if __name__ == "__main__":
    main()
