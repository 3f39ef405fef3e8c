# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Spreadsheet downloads: the action that starts one, and the companies it
is built in. A download is a plain http request, which gets no company
selection of the web client's: its link carries the companies the user
worked in, so that the file counts what the screen counted."""

import json

from werkzeug.urls import url_encode

from odoo.exceptions import UserError


def download_action(env, path, params):
    """The action that downloads ``path`` (a spreadsheet route taking
    ``params`` as JSON) in the companies the user works in."""
    return {
        "type": "ir.actions.act_url",
        "url": path
        + "?"
        + url_encode({"params": json.dumps(dict(params, company_ids=env.companies.ids))}),
        "target": "download",
    }


def file_name_part(text):
    """``text`` (a team's name, as typed, imported or written over RPC) as
    a part of a download's file name: without spaces at its ends, its runs
    of spaces one, its / and \\ (folder separators) made -."""
    return " ".join(text.replace("/", "-").replace("\\", "-").split())


def company_ids_param(env, company_ids):
    """A list of company ids from what a caller gave, or a ``UserError``
    in the user's language."""
    if not isinstance(company_ids, (list, tuple)) or not all(
        isinstance(company_id, int) and not isinstance(company_id, bool)
        for company_id in company_ids
    ):
        raise UserError(
            env._("The companies are given by their ids, not as “%(value)s”.", value=company_ids)
        )
    return list(company_ids)


def in_download_companies(model, params):
    """``model`` in the companies a download's parameters name (among the
    user's; none of them: as it is), and the parameters without them."""
    if not isinstance(params, dict) or "company_ids" not in params:
        return model, params
    params = dict(params)
    company_ids = company_ids_param(model.env, params.pop("company_ids"))
    allowed = [
        company_id for company_id in company_ids if company_id in model.env.user.company_ids.ids
    ]
    if not allowed:
        return model, params
    return model.with_context(allowed_company_ids=allowed), params
