# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The module's settings kept as system parameters, read as the settings
page allows them."""


def days_param(env, key, default, most):
    """The number of days the system parameter ``key`` holds, from 0 to
    ``most``; ``default`` when it holds none, or anything else (a value
    written over RPC that the settings page would refuse)."""
    # sudo: the settings are system parameters, read by every user's screens
    value = env["ir.config_parameter"].sudo().get_param(key)
    try:
        # (a parameter unset reads False, which int() would take as 0)
        days = int(value) if isinstance(value, str) else default
    except ValueError:
        return default
    return days if 0 <= days <= most else default
