"""Live-server checks against an Odoo started with --workers and a
--db_replica_host (scripts/live.sh): as a salesperson, over JSON-RPC and
HTTP, the report reads are answered by the hot standby while a stage move
lands on the primary, and the websocket (gevent) process answers.

Usage: python scripts/live_check.py URL GEVENT_URL DB LOGIN STANDBY_LOG PRIMARY_DSN STANDBY_DSN
Exits non-zero, saying why, when a check fails."""

import json
import sys
import time
from pathlib import Path

import psycopg2
import requests
import websocket


class Check:
    def __init__(self, url, db, login):
        self.url, self.db = url.rstrip("/"), db
        self.session = requests.Session()
        result = self.rpc(
            "/web/session/authenticate", {"db": db, "login": login, "password": login}
        )
        self.uid = result["uid"]

    def rpc(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise SystemExit(f"live: FAILED: {path}: {json.dumps(body['error'])[:2000]}")
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def fail(message):
    raise SystemExit(f"live: FAILED: {message}")


def new_log(path, offset):
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def main():
    url, gevent_url, db, login, standby_log, primary_dsn, standby_dsn = sys.argv[1:8]
    log = Path(standby_log)
    rep = Check(url, db, login)
    team_id = rep.call("res.users", "read", [rep.uid], ["sale_team_id"])[0]["sale_team_id"][0]
    params = {"team_id": team_id, "period": "all", "mode": "flow", "compare": "none"}

    reads = {
        "the dashboard's data call": lambda: rep.call(
            "crm.funnel.dashboard", "get_funnel_dashboard", params
        ),
        "the funnel pivot": lambda: rep.call(
            "crm.funnel.report",
            "web_read_group",
            [("team_id", "=", team_id)],
            ["reached:sum", "won:sum"],
            ["stage_id"],
            lazy=False,
        ),
        "the forecast pivot": lambda: rep.call(
            "crm.forecast.report",
            "web_read_group",
            [],
            ["forecast_revenue:sum"],
            ["stage_id"],
            lazy=False,
        ),
        "the spreadsheet": lambda: rep.session.get(
            rep.url + "/sales_funnel_forecast/funnel.xlsx",
            params={"params": json.dumps(params)},
            timeout=120,
        ),
        "the PDF": lambda: rep.session.get(
            rep.url + "/report/pdf/sales_funnel_forecast.report_funnel",
            params={"options": json.dumps({"sff_params": params})},
            timeout=300,
        ),
        "the pipeline a month ago": lambda: rep.call(
            "crm.lead",
            "sff_pipeline_at",
            time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400)),
        ),
        "the deal flow of this month": lambda: rep.call(
            "crm.lead", "sff_deal_flow", time.strftime("%Y-%m-01"), time.strftime("%Y-%m-%d")
        ),
        "the Forecast screen": lambda: rep.call(
            "crm.forecast.submission", "get_forecast_screen", {"team_id": team_id}
        ),
    }
    for name, read in reads.items():
        offset = log.stat().st_size
        result = read()
        if isinstance(result, requests.Response):
            if result.status_code != 200 or len(result.content) < 1000:
                fail(
                    f"{name}: HTTP {result.status_code}, {len(result.content)} bytes: {result.text[:500]}"
                )
        # the standby logs what it ran (log_statement = all): the funnel's
        # rows or totals, read there
        time.sleep(0.5)
        queries = new_log(log, offset)
        if not any(
            table in queries
            for table in (
                "crm_lead_stage_reach",
                "crm_funnel_summary",
                "crm_funnel_report",
                "crm_forecast_report",
                "crm_lead_forecast_version",
            )
        ):
            fail(f"{name} was not answered by the standby")
        print(f"live: {name} answered by the standby")

    # a stage move lands on the primary, the standby sees it, and the
    # dashboard read on the standby counts it
    [deal] = rep.call(
        "crm.lead",
        "search_read",
        [
            ("user_id", "=", rep.uid),
            ("type", "=", "opportunity"),
            ("stage_id.is_won", "=", False),
            ("team_id", "=", team_id),
        ],
        ["stage_id"],
        limit=1,
        order="id",
    )
    stages = rep.call(
        "crm.stage", "search_read", [("team_id", "=", team_id), ("is_won", "=", False)], ["id"]
    )
    target = next(stage["id"] for stage in stages if stage["id"] != deal["stage_id"][0])
    open_here = [("lead_id", "=", deal["id"]), ("stage_id", "=", target), ("open_here", "=", 1)]
    before = rep.call("crm.funnel.report", "search_count", open_here)
    rep.call("crm.lead", "write", [deal["id"]], {"stage_id": target})
    with psycopg2.connect(primary_dsn) as primary:
        with primary.cursor() as cr:
            cr.execute("SELECT stage_id FROM crm_lead WHERE id = %s", [deal["id"]])
            if cr.fetchone()[0] != target:
                fail("the stage move did not land on the primary")
            # the commit may still be in memory (synchronous_commit off): its
            # position in the log, written or not
            cr.execute("SELECT pg_current_wal_insert_lsn()")
            lsn = cr.fetchone()[0]
    with psycopg2.connect(standby_dsn) as standby:
        standby.autocommit = True
        with standby.cursor() as cr:
            for _attempt in range(100):
                cr.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cr.fetchone()[0]:
                    break
                time.sleep(0.1)
            else:
                fail("the standby did not replay the stage move within 10 s")
    after = rep.call("crm.funnel.report", "search_count", open_here)
    if (before, after) != (0, 1):
        fail(
            f"the funnel read on the standby does not show the move (open here: {before} -> {after})"
        )
    print(
        "live: a stage move landed on the primary and the funnel read on the standby shows the deal "
        "open in its new stage"
    )

    # the websocket process (gevent) answers a logged-in user
    origin = gevent_url.rstrip("/")
    ws = websocket.create_connection(
        origin.replace("http", "ws", 1) + "/websocket?version=18.0-3",
        cookie=f"session_id={rep.session.cookies.get('session_id')}",
        origin=origin,
        timeout=30,
        host=origin.split("://", 1)[1],
    )
    ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
    # the connection stays open and answers a ping
    ws.ping("live")
    # notifications of the last moments may come first: the pong among the
    # next frames
    for _frame_number in range(50):
        opcode, _frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_PONG:
            break
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            fail("the websocket closed the connection instead of answering a ping")
    else:
        fail("the websocket did not answer a ping within 50 frames")
    ws.close()
    print("live: the websocket process accepted a salesperson's connection")


if __name__ == "__main__":
    main()
