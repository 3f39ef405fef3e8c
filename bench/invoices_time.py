# Run with `env` by bench/invoices (scripts/odoo_exec.py): the time to post
# one invoice of a deal's confirmed order, and to register its full payment,
# each in its own committed transaction; the median of 5 deals after a
# warm-up. Also counts the deals whose row the posting wrote.
import os
import statistics
import time

cr = env.cr  # noqa: F821 (odoo_exec)
label = os.environ.get("BENCH_LABEL", "")
product = env["product.product"].search([("name", "=", "Bench service")], limit=1)  # noqa: F821
customer = env["res.partner"].search([("name", "=", "Bench customer")], limit=1)  # noqa: F821
deals = env["crm.lead"].search(
    [("type", "=", "opportunity"), ("active", "=", True)],  # noqa: F821
    order="id desc",
    limit=12,
)
if label == "Odoo alone":
    deals = deals[:6]
else:
    deals = deals[6:]
post_times, pay_times = [], []
for deal in deals:
    order = env["sale.order"].create(
        {  # noqa: F821
            "partner_id": customer.id,
            "opportunity_id": deal.id,
            "order_line": [
                (0, 0, {"product_id": product.id, "price_unit": 700.0, "tax_id": [(5, 0, 0)]})
            ],
        }
    )
    order.action_confirm()
    invoice = order._create_invoices()
    cr.commit()
    start = time.perf_counter()
    invoice.action_post()
    cr.commit()
    post_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    env["account.payment.register"].with_context(  # noqa: F821
        active_model="account.move", active_ids=invoice.ids
    ).create({})._create_payments()
    cr.commit()
    pay_times.append(time.perf_counter() - start)
    env.invalidate_all()  # noqa: F821
print(
    f"| posting one invoice of a deal's order, {label} | {statistics.median(post_times[1:]) * 1000:.0f} ms |"
)
print(
    f"| registering its full payment, {label} | {statistics.median(pay_times[1:]) * 1000:.0f} ms |"
)
