# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What holds records someone deletes: the deletion is refused in words
naming them (``tools.formats.named``; a database constraint would say it
in its own)."""


def holders(env, model, field, ids):
    """The records of ``model``, archived ones too, whose ``field`` is one
    of ``ids``. As the superuser: what holds the records counts whoever
    deletes them and whatever they may read."""
    return env[model].sudo().with_context(active_test=False).search([(field, "in", list(ids))])
