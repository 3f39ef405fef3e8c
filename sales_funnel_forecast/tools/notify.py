# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The action that shows a message in the corner of the screen after a
button, then closes the dialog (or does ``then``)."""


def notification(message, kind="success", then=None):
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "message": message,
            "next": then or {"type": "ir.actions.act_window_close"},
        },
    }
