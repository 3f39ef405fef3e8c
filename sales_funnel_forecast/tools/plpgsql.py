# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools import SQL


def plpgsql_function(signature, body):
    """CREATE OR REPLACE FUNCTION ``signature`` running the statements
    ``body``, SQL of this module's code without parameters (a function's
    arguments are named in it). PostgreSQL plans a PL/pgSQL function's
    statements once per connection, where a statement sent as text is
    planned on every call."""
    assert not body.params, "a function body takes no parameters"
    return SQL(
        "CREATE OR REPLACE FUNCTION %s LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan "
        "AS $sff_body$ BEGIN %s; END $sff_body$",
        signature,
        body,
    )
