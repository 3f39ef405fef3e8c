# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The funnel, conversion and forecast of a team and period as an Excel
workbook (xlsxwriter, from Odoo's requirements): one sheet per report,
formatted headers and totals, the funnel drawn as a native Excel chart."""

import io

import xlsxwriter

from ..tools.formats import add_sheet


def build_workbook(data, labels):
    """Bytes of the workbook for ``crm.funnel.dashboard._sff_report_data``'s
    ``data``; ``labels`` holds the translated texts (see the export
    wizard)."""
    output = io.BytesIO()
    # names and reasons typed by users stay text, never formulas or links
    book = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    styles = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "team": book.add_format({"bold": True, "font_size": 12, "font_color": "#714B67"}),
        "note": book.add_format({"italic": True, "font_color": "#666666"}),
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#714B67",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "text": book.add_format({"border": 1}),
        "int": book.add_format({"border": 1, "num_format": "#,##0"}),
        "money": book.add_format({"border": 1, "num_format": labels["money_format"]}),
        "pct": book.add_format({"border": 1, "num_format": "0.0"}),
        "total_text": book.add_format({"bold": True, "top": 2, "border": 1}),
        "total_int": book.add_format({"bold": True, "top": 2, "border": 1, "num_format": "#,##0"}),
        "total_money": book.add_format(
            {"bold": True, "top": 2, "border": 1, "num_format": labels["money_format"]}
        ),
    }
    _funnel_sheet(book, styles, data, labels)
    _conversion_sheet(book, styles, data, labels)
    _forecast_sheet(book, styles, data, labels)
    _losses_sheet(book, styles, data, labels)
    _attainment_sheet(book, styles, data, labels)
    if labels["right_to_left"]:
        for sheet in book.worksheets():
            sheet.right_to_left()
    book.close()
    return output.getvalue()


def _heading(sheet, styles, title, data, labels):
    sheet.write(0, 0, title, styles["title"])
    sheet.write(1, 0, labels["subtitle"], styles["note"])


def _funnel_sheet(book, styles, data, labels):
    sheet = add_sheet(book, labels["funnel"])
    _heading(sheet, styles, labels["funnel"], data, labels)
    columns = [
        ("stage_name", labels["stage"], "text"),
        ("reached", labels["reached"], "int"),
        ("entered", labels["entered"], "int"),
        ("moved_on", labels["moved_on"], "int"),
        ("won", labels["won"], "int"),
        ("lost_here", labels["lost_here"], "int"),
        ("open_here", labels["open_here"], "int"),
        ("stalled_here", labels["stalled_here"], "int"),
        ("reached_amount", labels["reached_amount"], "money"),
        ("won_amount", labels["won_amount"], "money"),
        ("lost_amount", labels["lost_amount"], "money"),
        ("open_amount", labels["open_amount"], "money"),
    ]
    if data["compare"] != "none":
        columns.append(("compare_reached", labels["compare_reached"], "int"))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(columns) - 1, 14)
    helper_col = len(columns) + 1
    sheet.set_column(helper_col, helper_col, None, None, {"hidden": True})
    line = 3
    if not data["funnels"]:
        sheet.write(line, 0, labels["empty"], styles["note"])
        return
    for funnel in data["funnels"]:
        line = _funnel_block(book, sheet, styles, labels, funnel, columns, line, helper_col)


def _funnel_block(book, sheet, styles, labels, funnel, columns, line, helper_col):
    """One team's funnel: its table, totals and chart, from row ``line``;
    returns the first free row after it."""
    sheet.write(line, 0, funnel["team_name"], styles["team"])
    head = line + 1
    for col, (_key, title, _style) in enumerate(columns):
        sheet.write(head, col, title, styles["head"])
    sheet.set_row(head, 30)
    stages = funnel["stages"]
    for index, row in enumerate(stages, start=head + 1):
        for col, (key, _title, style) in enumerate(columns):
            sheet.write(index, col, row[key], styles[style])
    total_row = head + 1 + len(stages)
    sheet.write(total_row, 0, labels["total"], styles["total_text"])
    # deals lost or open are counted once, in the stage they are lost or in
    for col, (key, _title, style) in enumerate(columns[1:], start=1):
        if key in ("lost_here", "open_here", "stalled_here", "lost_amount", "open_amount"):
            sheet.write(
                total_row,
                col,
                sum(row[key] for row in stages),
                styles["total_money" if style == "money" else "total_int"],
            )
        else:
            sheet.write_blank(total_row, col, None, styles["total_text"])
    # The funnel as a native chart: horizontal stacked bars, a transparent
    # half-gap on the left of each bar centres it.
    widest = max(row["reached"] for row in stages)
    sheet.write(head, helper_col, labels["offset"], styles["note"])
    for index, row in enumerate(stages, start=head + 1):
        sheet.write(index, helper_col, (widest - row["reached"]) / 2.0)
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = head + 1, head + len(stages)
    sheet_name = sheet.get_name()
    chart.add_series(
        {
            "name": labels["offset"],
            "categories": [sheet_name, first, 0, last, 0],
            "values": [sheet_name, first, helper_col, last, helper_col],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    chart.add_series(
        {
            "name": labels["reached"],
            "categories": [sheet_name, first, 0, last, 0],
            "values": [sheet_name, first, 1, last, 1],
            "fill": {"color": "#714B67"},
            "data_labels": {"value": True, "position": "center", "font": {"color": "#FFFFFF"}},
            "gap": 10,
        }
    )
    chart.set_title({"name": f"{labels['funnel']} · {funnel['team_name']}"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"visible": False, "major_gridlines": {"visible": False}})
    height = 40 * len(stages) + 120
    chart.set_size({"width": 640, "height": height})
    sheet.insert_chart(total_row + 2, 0, chart)
    # rows of 20 points: the chart's height, and a row of space
    return total_row + 3 + height // 20 + 1


def _conversion_sheet(book, styles, data, labels):
    sheet = add_sheet(book, labels["conversion"])
    _heading(sheet, styles, labels["conversion"], data, labels)
    columns = [
        ("stage_name", labels["stage"], "text"),
        ("reached", labels["reached"], "int"),
        ("moved_on", labels["moved_on"], "int"),
        ("conversion_rate", labels["conversion_rate"], "pct"),
        ("entered", labels["entered"], "int"),
        ("entered_conversion_rate", labels["entered_conversion_rate"], "pct"),
    ]
    if data["compare"] != "none":
        columns.append(("compare_conversion_rate", labels["compare_conversion_rate"], "pct"))
    if any(funnel.get("plan_name") for funnel in data["funnels"]):
        # the target plan's conversions, beside the real ones
        columns.append(("target_conversion", labels["target_conversion"], "pct"))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(columns) - 1, 16)
    line = 3
    if not data["funnels"]:
        sheet.write(line, 0, labels["empty"], styles["note"])
        return
    for funnel in data["funnels"]:
        sheet.write(line, 0, funnel["team_name"], styles["team"])
        head = line + 1
        for col, (_key, title, _style) in enumerate(columns):
            sheet.write(head, col, title, styles["head"])
        sheet.set_row(head, 30)
        for index, row in enumerate(funnel["stages"], start=head + 1):
            for col, (key, _title, style) in enumerate(columns):
                value = row[key]
                if value is None:
                    sheet.write_blank(index, col, None, styles[style])
                else:
                    sheet.write(index, col, value, styles[style])
        line = head + len(funnel["stages"]) + 2


def _forecast_sheet(book, styles, data, labels):
    forecast = data["forecast"]
    sheet = add_sheet(book, labels["forecast"])
    sheet.write(0, 0, labels["forecast"], styles["title"])
    sheet.write(1, 0, labels["forecast_subtitle"], styles["note"])
    head = 3
    if not forecast["rows"]:
        # said in words, as the PDF does: no table of zeros under no month
        sheet.set_column(0, 0, 26)
        sheet.write(head, 0, labels["no_open_deal"], styles["note"])
        return
    months = [
        labels["months"][month] if month else labels["no_date"] for month in forecast["months"]
    ]
    sheet.write(head, 0, labels["stage"], styles["head"])
    sheet.write(head, 1, labels["weighting"], styles["head"])
    for col, month in enumerate(months, start=2):
        sheet.write(head, col, month, styles["head"])
    total_col = 2 + len(months)
    sheet.write(head, total_col, labels["total"], styles["head"])
    sheet.write(head, total_col + 1, labels["excluded"], styles["head"])
    line = head + 1
    for row in forecast["rows"]:
        for key, title in (
            ("forecast", labels["stage_weighted"]),
            ("history", labels["history_weighted"]),
        ):
            sheet.write(line, 0, row["stage_name"], styles["text"])
            note = title
            if key == "history" and row["history_fallback"]:
                note = f"{title} ({labels['fallback']})"
            sheet.write(line, 1, note, styles["text"])
            for col, cell in enumerate(row["months"], start=2):
                sheet.write(line, col, cell[key], styles["money"])
            sheet.write(line, total_col, row[key], styles["money"])
            if key == "forecast":
                sheet.write(line, total_col + 1, row["excluded"], styles["money"])
            else:
                sheet.write_blank(line, total_col + 1, None, styles["money"])
            line += 1
    for key, title in (
        ("forecast", labels["stage_weighted"]),
        ("history", labels["history_weighted"]),
    ):
        sheet.write(line, 0, labels["total"], styles["total_text"])
        sheet.write(line, 1, title, styles["total_text"])
        for col in range(len(months)):
            sheet.write(
                line,
                col + 2,
                sum(row["months"][col][key] for row in forecast["rows"]),
                styles["total_money"],
            )
        sheet.write(line, total_col, forecast[key], styles["total_money"])
        sheet.write(
            line,
            total_col + 1,
            forecast["excluded"] if key == "forecast" else "",
            styles["total_money"],
        )
        line += 1
    if forecast["stalled_count"]:
        sheet.write(line, 0, labels["stalled_deals"], styles["text"])
        sheet.write(line, 1, labels["stalled_weighting"], styles["text"])
        sheet.write(line, total_col, forecast["stalled_amount"], styles["money"])
        line += 1
    # when the history-weighted figures' win rates were worked out
    sheet.write(line + 1, 0, data["win_rates_note"], styles["note"])
    sheet.set_column(0, 1, 26)
    sheet.set_column(2, total_col + 1, 14)
    sheet.set_row(head, 30)


def _losses_sheet(book, styles, data, labels):
    sheet = add_sheet(book, labels["losses"])
    _heading(sheet, styles, labels["losses"], data, labels)
    losses = data["losses"]
    sheet.set_column(0, 1, 36)
    sheet.set_column(2, 3, 14)
    line = 3
    if not losses["by_reason"]:
        sheet.write(line, 0, labels["no_loss"], styles["note"])
        return
    for col, title in enumerate(
        (labels["category"], labels["reason"], labels["loss_count"], labels["loss_amount"])
    ):
        sheet.write(line, col, title, styles["head"])
    for row in losses["by_reason"]:
        line += 1
        sheet.write(
            line, 0, labels["categories"].get(row["category"], row["category"]), styles["text"]
        )
        sheet.write(line, 1, row["reason"], styles["text"])
        sheet.write(line, 2, row["count"], styles["int"])
        sheet.write(line, 3, row["amount"], styles["money"])
    line += 1
    sheet.write(line, 0, labels["total"], styles["total_text"])
    sheet.write_blank(line, 1, None, styles["total_text"])
    sheet.write(line, 2, sum(row["count"] for row in losses["by_reason"]), styles["total_int"])
    sheet.write(line, 3, sum(row["amount"] for row in losses["by_reason"]), styles["total_money"])
    line += 2
    for col, title in enumerate(
        (labels["lost_stage"], "", labels["loss_count"], labels["loss_amount"])
    ):
        sheet.write(line, col, title, styles["head"])
    for row in losses["by_stage"]:
        line += 1
        sheet.write(line, 0, row["stage"], styles["text"])
        sheet.write_blank(line, 1, None, styles["text"])
        sheet.write(line, 2, row["count"], styles["int"])
        sheet.write(line, 3, row["amount"], styles["money"])


def _attainment_sheet(book, styles, data, labels):
    sheet = add_sheet(book, labels["attainment"])
    _heading(sheet, styles, labels["attainment"], data, labels)
    attainment = data["attainment"]
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, len(attainment["months"]) + 1, 14)
    line = 3
    if not attainment["rows"]:
        sheet.write(line, 0, labels["no_revenue"], styles["note"])
        return
    sheet.write(line, 0, labels["salesperson"], styles["head"])
    for col, month in enumerate(attainment["months"], start=1):
        sheet.write(line, col, month, styles["head"])
    total_col = len(attainment["months"]) + 1
    sheet.write(line, total_col, labels["total"], styles["head"])
    for row in attainment["rows"]:
        line += 1
        sheet.write(line, 0, row["user"], styles["text"])
        for col, amount in enumerate(row["amounts"], start=1):
            sheet.write(line, col, amount, styles["money"])
        sheet.write(line, total_col, row["total"], styles["money"])
    line += 1
    sheet.write(line, 0, labels["total"], styles["total_text"])
    for col in range(1, total_col):
        sheet.write(
            line,
            col,
            sum(row["amounts"][col - 1] for row in attainment["rows"]),
            styles["total_money"],
        )
    sheet.write(
        line, total_col, sum(row["total"] for row in attainment["rows"]), styles["total_money"]
    )
    line += 2
    sheet.write(line, 0, labels["attainment_note"], styles["note"])
