# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The action that shows a message in the corner of the screen after a
button, then closes the dialog (or does ``then``)."""

CLOSE = {"type": "ir.actions.act_window_close"}


def notification(message, kind="success", then=CLOSE):
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": kind, "message": message, "next": then},
    }
