# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A pair of fields that holds once per parent (a unique constraint of
the table), checked before the rows are written: PostgreSQL's refusal of
a line imported through its parent reaches the user in PostgreSQL's
words, in English (Odoo's import names only the constraints of the model
imported); this check says it in the user's language. The constraint
stays the guard against two transactions at once."""

from odoo.exceptions import ValidationError


def check_once(records, vals_list, parent, key, message):
    """Raise ``ValidationError(message)`` when the rows as they will be,
    ``records`` written with the one ``vals_list[0]``, or created from
    ``vals_list`` (``records`` empty: their model), hold a (``parent``,
    ``key``) pair twice, among themselves or with the other rows of the
    table."""
    if records:
        vals = vals_list[0]
        if parent not in vals and key not in vals:
            return
        rows = [
            (
                record.id,
                vals[parent] if parent in vals else record[parent].id,
                vals[key] if key in vals else record[key],
            )
            for record in records
        ]
    else:
        rows = [(None, vals.get(parent), vals.get(key)) for vals in vals_list]
    rows = [
        (row_id, parent_id, getattr(value, "id", value))
        for row_id, parent_id, value in rows
        if parent_id and value
    ]
    pairs = [(parent_id, value) for _row_id, parent_id, value in rows]
    if len(set(pairs)) < len(pairs):
        raise ValidationError(message)
    if not pairs:
        return
    # sudo: whether the pair exists, on rows the user may not read
    others = (
        records.sudo()
        .with_context(active_test=False)
        .search_fetch(
            [
                (parent, "in", list({parent_id for parent_id, _value in pairs})),
                ("id", "not in", [row_id for row_id, _parent, _value in rows if row_id]),
            ],
            [parent, key],
        )
    )
    existing = {(other[parent].id, getattr(other[key], "id", other[key])) for other in others}
    if existing & set(pairs):
        raise ValidationError(message)
