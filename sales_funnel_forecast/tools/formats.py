# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dates and periods in the user's language, as the spreadsheets and
screens write them."""

import re

from odoo.tools.misc import (
    babel_locale_parse,
    format_date,
    format_datetime,
    formatLang,
    get_lang,
    posix_to_ldml,
)

# the language's date format (strftime, as res.lang keeps it) in Excel's
# number-format codes; other text is quoted, as Excel wants it
EXCEL_CODES = {
    "%d": "dd",
    "%e": "d",
    "%m": "mm",
    "%Y": "yyyy",
    "%y": "yy",
    "%b": "mmm",
    "%B": "mmmm",
    "%a": "ddd",
    "%A": "dddd",
}
DIRECTIVE = re.compile(r"%[a-zA-Z]")
SEPARATORS = re.compile(r"[ ./,:-]*")


def excel_date_format(env):
    """Excel's number format of a date in the user's language."""
    date_format = get_lang(env).date_format
    parts, last = [], 0
    for match in DIRECTIVE.finditer(date_format):
        if match.start() > last:
            parts.append(_quoted(date_format[last : match.start()]))
        parts.append(EXCEL_CODES.get(match.group(), ""))
        last = match.end()
    if last < len(date_format):
        parts.append(_quoted(date_format[last:]))
    return "".join(parts) or "yyyy-mm-dd"


def _quoted(text):
    # separators stand for themselves, letters and other signs are quoted
    if SEPARATORS.fullmatch(text):
        return text
    return '"' + text.replace('"', "") + '"'


def minute_format(env):
    """The user's language's date and short time (no seconds), as babel
    reads them."""
    lang = get_lang(env)
    locale = babel_locale_parse(lang.code)
    return " ".join(
        posix_to_ldml(posix, locale=locale) for posix in (lang.date_format, lang.short_time_format)
    )


def minute_text(env, moment):
    """A stored date and time (UTC) as the user reads it: in their time
    zone, their language's date and short time ("01/02/2030 10:30")."""
    return format_datetime(env, moment, dt_format=minute_format(env))


def right_to_left(env):
    """Whether the user's language reads right to left (Arabic, Hebrew,
    Persian...): Odoo prints its pages so, the spreadsheets lay their
    sheets out so (column A on the right)."""
    return get_lang(env).direction == "rtl"


def count_text(env, value):
    """A count as the user's language writes it, as Odoo's integer fields
    do: 12,000 in English, 12.000 in German (Odoo's formatLang, without
    decimals)."""
    return formatLang(env, value or 0, digits=0)


# the most records a message names: it counts the others
NAMED_AT_MOST = 5


def named(records, field="display_name"):
    """``records`` by name for a message, in the user's language: the first
    five, then how many others ("A, B, C, D, E and 3 more")."""
    env = records.env
    names = ", ".join(records[:NAMED_AT_MOST].mapped(field))
    others = len(records) - NAMED_AT_MOST
    if others == 1:
        return env._("%(names)s and one more", names=names)
    if others > 1:
        return env._("%(names)s and %(count)s more", names=names, count=count_text(env, others))
    return names


# what Excel refuses in a sheet's name, replaced ([ ] by ( ), the
# separators by a dash) or dropped; its longest name (UTF-16 units) and the
# name it keeps for itself
SHEET_NAME_SIGNS = str.maketrans(
    {"[": "(", "]": ")", ":": "-", "/": "-", "\\": "-", "*": None, "?": None}
)
SHEET_NAME_LENGTH = 31
SHEET_NAME_RESERVED = "history"


def add_sheet(book, name):
    """A new sheet of the xlsxwriter ``book`` named ``name`` (a translation)
    as Excel takes it: its signs replaced, its ends without spaces or
    apostrophes, cut at 31 characters, numbered "(2)", "(3)"... after a
    sheet of the same name (case ignored, as Excel compares them)."""
    name = _sheet_name(" ".join(name.translate(SHEET_NAME_SIGNS).split()))
    # nothing left (a name of signs only): the sheet's place in the book
    name = name or str(len(book.worksheets()) + 1)
    taken = {sheet.name.lower() for sheet in book.worksheets()} | {SHEET_NAME_RESERVED}
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = _sheet_name(name, SHEET_NAME_LENGTH - len(suffix)) + suffix
    return book.add_worksheet(candidate)


def _sheet_name(name, length=SHEET_NAME_LENGTH):
    while len(name.encode("utf-16-le")) > 2 * length:
        name = name[:-1]
    return name.strip(" '")


def excel_money_format(currency):
    """Excel's number format of an amount in ``currency``: its decimals,
    and its symbol on its side, as text (so that a spreadsheet says which
    currency its amounts are in, whatever the reader's settings)."""
    number = "#,##0"
    if currency.decimal_places > 0:
        number += "." + "0" * currency.decimal_places
    symbol = '"' + (currency.symbol or currency.name).replace('"', "") + '"'
    if currency.position == "before":
        return f"{symbol}{number}"
    return f"{number} {symbol}"


# a period's name as Odoo's grouped views write it (``READ_GROUP_DISPLAY_FORMAT``)
PERIOD_PATTERNS = {"month": "MMMM yyyy", "quarter": "QQQ yyyy"}


def period_label(env, day, period_type):
    """The month or quarter starting on ``day``, in the user's language:
    "March 2026", "Q1 2026" in English, "mars 2026", "T1 2026" in French."""
    return format_date(env, day, date_format=PERIOD_PATTERNS[period_type])
