# Run with `env` by bench/invoices (scripts/odoo_exec.py), before the module
# is installed: BENCH_INVOICES confirmed orders of the first generated deals,
# each invoiced by a posted invoice, as Odoo makes them. One order, invoice
# and their lines are made by Odoo; the others are copies of their rows in
# SQL with their own ids, deal, salesperson, numbers and dates, so that
# building hundreds of thousands takes minutes. With BENCH_CASH_ROUNDING=1
# (bench/upgrade), the invoices are of 999.60 rounded to 1,000.00 by a
# cash rounding's line (of no tax).
import os

cr = env.cr  # noqa: F821 (odoo_exec)
count = int(os.environ["BENCH_INVOICES"])
rounded = os.environ.get("BENCH_CASH_ROUNDING") == "1"
product = env["product.product"].create(
    {  # noqa: F821
        "name": "Bench service",
        "type": "service",
        "invoice_policy": "order",
        "list_price": 1000.0,
        "taxes_id": [(5, 0, 0)],
    }
)
customer = env["res.partner"].create({"name": "Bench customer"})  # noqa: F821
first = env["crm.lead"].search([("type", "=", "opportunity")], order="id", limit=1)  # noqa: F821
order = env["sale.order"].create(
    {  # noqa: F821
        "partner_id": customer.id,
        "opportunity_id": first.id,
        "user_id": first.user_id.id,
        "order_line": [
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "price_unit": 999.6 if rounded else 1000.0,
                    "tax_id": [(5, 0, 0)],
                },
            )
        ],
    }
)
order.action_confirm()
invoice = order._create_invoices()
if rounded:
    account = env["account.account"].search([("account_type", "=", "income")], limit=1)  # noqa: F821
    invoice.invoice_cash_rounding_id = env["account.cash.rounding"].create(  # noqa: F821
        {
            "name": "Bench: to the unit",
            "rounding": 1.0,
            "strategy": "add_invoice_line",
            "rounding_method": "HALF-UP",
            "profit_account_id": account.id,
            "loss_account_id": account.id,
        }
    )
    assert invoice.line_ids.filtered(lambda line: line.display_type == "rounding"), (
        "no rounding line"
    )
invoice.action_post()
cr.commit()


def clone(table, template_where, overrides, join=""):
    """Copies of ``table``'s template rows joined with ``join`` (the id maps
    below), with ``overrides`` (column -> SQL expression) applied."""
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
    cols = [row[0] for row in cr.fetchall()]
    select = ", ".join(overrides.get(col, f"t.{col}") for col in cols)
    cr.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 (bench code; names from the catalogue)
        f"SELECT {select} FROM {table} t {join} WHERE {template_where}"
    )


# one row per copy: its deal and the ids its records take
cr.execute(
    """
    CREATE TEMP TABLE bench_map AS
    SELECT g, lead_id, user_id, team_id,
           nextval('sale_order_id_seq') AS order_id, nextval('sale_order_line_id_seq') AS order_line_id,
           nextval('account_move_id_seq') AS move_id
      FROM (SELECT row_number() OVER (ORDER BY id) AS g, id AS lead_id, user_id, team_id
              FROM crm_lead WHERE type = 'opportunity' AND id <> %s ORDER BY id LIMIT %s) d
""",
    [first.id, count - 1],
)
cr.execute(
    """
    CREATE TEMP TABLE bench_line_map AS
    SELECT m.g, l.id AS template_id, nextval('account_move_line_id_seq') AS line_id
      FROM bench_map m CROSS JOIN account_move_line l WHERE l.move_id = %s
""",
    [invoice.id],
)
day = "(t.create_date - (m.g % 365) * interval '1 day')"
date = f"{day}::date"
clone(
    "sale_order",
    f"t.id = {order.id}",
    {
        "id": "m.order_id",
        "name": "'SB' || m.g",
        "opportunity_id": "m.lead_id",
        "user_id": "m.user_id",
        "team_id": "m.team_id",
        "date_order": day,
        "create_date": day,
        "write_date": day,
        "access_token": "NULL",
    },
    join="CROSS JOIN bench_map m",
)
clone(
    "sale_order_line",
    f"t.order_id = {order.id}",
    {
        "id": "m.order_line_id",
        "order_id": "m.order_id",
        "salesman_id": "m.user_id",
        "create_date": day,
        "write_date": day,
    },
    join="CROSS JOIN bench_map m",
)
clone(
    "account_move",
    f"t.id = {invoice.id}",
    {
        "id": "m.move_id",
        "name": "t.name || '-' || m.g",
        "invoice_user_id": "m.user_id",
        "team_id": "m.team_id",
        "date": date,
        "invoice_date": date,
        "invoice_date_due": f"{date} + 30",
        "create_date": day,
        "write_date": day,
        "access_token": "NULL",
        "sequence_number": "m.g + 1",
        "payment_reference": "t.payment_reference || '-' || m.g",
        "inalterable_hash": "NULL",
        "secure_sequence_number": "NULL",
    },
    join="CROSS JOIN bench_map m",
)
clone(
    "account_move_line",
    f"t.move_id = {invoice.id}",
    {
        "id": "lm.line_id",
        "move_id": "m.move_id",
        "date": date,
        "date_maturity": f"{date} + 30",
        "create_date": day,
        "write_date": day,
    },
    join="JOIN bench_line_map lm ON lm.template_id = t.id JOIN bench_map m ON m.g = lm.g",
)
cr.execute(
    """
    INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id)
    SELECT lm.line_id, m.order_line_id
      FROM sale_order_line_invoice_rel r
      JOIN bench_line_map lm ON lm.template_id = r.invoice_line_id
      JOIN bench_map m ON m.g = lm.g
     WHERE r.order_line_id IN (SELECT id FROM sale_order_line WHERE order_id = %s)
""",
    [order.id],
)
cr.execute(
    "ANALYZE account_move; ANALYZE account_move_line; ANALYZE sale_order; ANALYZE sale_order_line"
)
cr.execute("SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'")
print(f"posted invoices: {cr.fetchone()[0]}")
