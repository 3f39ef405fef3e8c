"""Load driver of bench/load: salespeople working at once over JSON-RPC
against an Odoo started with workers, while an administrator triggers the
scheduled jobs.

    python bench/load.py run URL DB REPS SECONDS MODULE THINK OUT.json
    python bench/load.py serverlog ODOO.log OUT.json
    python bench/load.py report OUT_DIR

``run`` drives REPS salespeople (logins bench.rep.NN, password = login) for
SECONDS seconds, each on their own deals, pausing THINK seconds on average
between two actions (from half to one and a half times it; 0: none): stage moves, amounts, won, lost,
restore, a call logged (without the module: a note), the funnel pivot and
the dashboard (without the module: Odoo's Pipeline Analysis pivot and
graph). MODULE is 1 on the copy with sales_funnel_forecast. Every request's
latency and outcome goes to OUT.json. ``serverlog`` reads the server's log
of a round: per route, the requests' queries, SQL time and other time, the
scheduled jobs' time, and the serialization failures Odoo retried.
``report`` prints the two copies side by side from every round's files in
OUT_DIR.
"""

import json
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

# operation: (weight, label with the module, label without)
OPERATIONS = {
    "move": (40, "stage move (kanban drag)", "stage move (kanban drag)"),
    "amount": (12, "amount changed", "amount changed"),
    "won": (5, "won", "won"),
    "lost": (5, "lost", "lost"),
    "restore": (5, "lost deal restored", "lost deal restored"),
    "call": (13, "call logged", "note logged (no calls without the module)"),
    "pivot": (10, "funnel pivot", "Pipeline Analysis pivot"),
    "dashboard": (10, "dashboard data call", "Pipeline Analysis graph"),
}
# the scheduled jobs triggered during the load (their external ids)
ODOO_JOBS = ["crm.website_crm_score_cron", "crm.ir_cron_crm_lead_assign"]
MODULE_JOBS = [
    f"sales_funnel_forecast.{name}"
    for name in (
        "ir_cron_apply_stall_rules",
        "ir_cron_compact_funnel_summary",
        "ir_cron_refresh_history_win_rates",
        "ir_cron_rebuild_funnel_rows",
        "ir_cron_refresh_prorated_revenue",
        "ir_cron_refresh_target_plan_actuals",
    )
]


class RpcError(Exception):
    pass


class Client:
    def __init__(self, url, db, login):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.uid = self.rpc(
            "/web/session/authenticate", {"db": db, "login": login, "password": login}
        )["uid"]

    def rpc(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=300,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"].get("data", {})
            raise RpcError(
                f"{data.get('name', '')}: {data.get('message', body['error'].get('message'))}"
            )
        return body.get("result")

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


class Rep(threading.Thread):
    def __init__(self, url, db, login, deadline, module, seed, think=0.0):
        super().__init__(daemon=True)
        self.think = think
        self.client = Client(url, db, login)
        self.deadline, self.module = deadline, module
        self.random = random.Random(seed)
        self.results = []  # (operation, seconds, error or None)
        ctx = {"active_test": False}
        deals = self.client.call(
            "crm.lead",
            "search_read",
            [("user_id", "=", self.client.uid), ("type", "=", "opportunity")],
            ["active", "stage_id"],
            context=ctx,
        )
        stages = self.client.call(
            "crm.stage", "search_read", [("team_id", "=", False)], ["is_won"], order="sequence, id"
        )
        self.stages = [stage["id"] for stage in stages if not stage["is_won"]]
        won = {stage["id"] for stage in stages if stage["is_won"]}
        self.open = [
            deal["id"]
            for deal in deals
            if deal["active"] and deal["stage_id"] and deal["stage_id"][0] not in won
        ]
        self.lost = [deal["id"] for deal in deals if not deal["active"]]
        self.team_id = self.client.call("res.users", "read", [self.client.uid], ["sale_team_id"])[
            0
        ]["sale_team_id"]
        self.team_id = self.team_id and self.team_id[0]

    def operation(self, name):
        client, rnd = self.client, self.random
        if name == "move":
            deal = rnd.choice(self.open)
            client.call("crm.lead", "write", [deal], {"stage_id": rnd.choice(self.stages)})
        elif name == "amount":
            client.call(
                "crm.lead",
                "write",
                [rnd.choice(self.open)],
                {"expected_revenue": rnd.randrange(500, 50000)},
            )
        elif name == "won":
            deal = self.open.pop(rnd.randrange(len(self.open)))
            client.call("crm.lead", "action_set_won_rainbowman", [deal])
        elif name == "lost":
            deal = self.open.pop(rnd.randrange(len(self.open)))
            client.call("crm.lead", "action_set_lost", [deal])
            self.lost.append(deal)
        elif name == "restore":
            deal = self.lost.pop(rnd.randrange(len(self.lost)))
            client.call("crm.lead", "action_unarchive", [deal], context={"active_test": False})
            self.open.append(deal)
        elif name == "call":
            deal = rnd.choice(self.open)
            if self.module:
                client.call(
                    "crm.lead.call",
                    "create",
                    {
                        "lead_id": deal,
                        "outcome": rnd.choice(
                            ["no_answer", "voicemail", "busy", "conversation", "meeting_booked"]
                        ),
                    },
                )
            else:
                client.call(
                    "crm.lead",
                    "message_post",
                    [deal],
                    body="Called the customer.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
        elif name == "pivot":
            if self.module:
                client.call(
                    "crm.funnel.report",
                    "web_read_group",
                    [],
                    ["reached:sum", "won:sum"],
                    ["stage_id", "date_in:month"],
                    lazy=False,
                )
            else:
                client.call(
                    "crm.lead",
                    "web_read_group",
                    [("type", "=", "opportunity")],
                    ["expected_revenue:sum", "prorated_revenue:sum"],
                    ["stage_id", "date_deadline:month"],
                    lazy=False,
                )
        elif name == "dashboard":
            if self.module:
                client.call(
                    "crm.funnel.dashboard",
                    "get_funnel_dashboard",
                    {"team_id": self.team_id, "period": "this_year"},
                )
            else:
                client.call(
                    "crm.lead",
                    "web_read_group",
                    [("type", "=", "opportunity")],
                    ["expected_revenue:sum"],
                    ["stage_id", "user_id"],
                    lazy=False,
                )

    def run(self):
        names = list(OPERATIONS)
        weights = [OPERATIONS[name][0] for name in names]
        while time.time() < self.deadline:
            name = self.random.choices(names, weights)[0]
            if name == "restore":
                if not self.lost:
                    continue
            elif not self.open or name in ("won", "lost") and len(self.open) < 10:
                continue
            start = time.perf_counter()
            try:
                self.operation(name)
                error = None
            except Exception as exc:  # noqa: BLE001 (every failure is counted, the salesperson goes on)
                error = f"{type(exc).__name__}: {exc}"[:300]
            self.results.append((name, time.perf_counter() - start, error))
            if self.think:
                time.sleep(self.random.uniform(0.5, 1.5) * self.think)


def trigger_jobs(url, db, deadline, module, every=15):
    """As the administrator, every ``every`` seconds: the jobs are due now
    (bench/load starts Odoo with ODOO_NOTIFY_CRON_CHANGES, so that the cron
    worker is told at once). A job running at that moment refuses the
    write: it is made due again the next time."""
    admin = Client(url, db, "admin")
    ids = []
    for xmlid in ODOO_JOBS + (MODULE_JOBS if module else []):
        module_name, name = xmlid.split(".")
        found = admin.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module_name), ("name", "=", name)],
            ["res_id"],
        )
        ids += [row["res_id"] for row in found]
    triggered = 0
    while time.time() < deadline:
        for job_id in ids:
            try:
                admin.call(
                    "ir.cron",
                    "write",
                    [job_id],
                    {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
                )
                triggered += 1
            except RpcError:
                pass  # running now
        time.sleep(every)
    return triggered, len(ids)


def run(url, db, reps, seconds, module, think, out):
    module = module == "1"
    threads = [
        Rep(url, db, f"bench.rep.{index:02d}", None, module, index, float(think))
        for index in range(1, int(reps) + 1)
    ]
    began = time.time()
    deadline = began + float(seconds)
    for thread in threads:
        thread.deadline = deadline
        thread.start()
    triggered, _jobs = trigger_jobs(url, db, deadline, module)
    for thread in threads:
        thread.join()
    elapsed = time.time() - began
    results = [result for thread in threads for result in thread.results]
    Path(out).write_text(
        json.dumps(
            {
                "seconds": elapsed,
                "reps": int(reps),
                "module": module,
                "think": float(think),
                "jobs_triggered": triggered,
                "results": results,
            }
        )
    )


REQUEST = re.compile(r'"(?:POST|GET) (\S+?)(?:\?\S*)? HTTP/1\.1" (\d+) - (\d+) ([\d.]+) ([\d.]+)')
JOB_DONE = re.compile(r"Job '(.+?)' \(\d+\) done in ([\d.]+)s")


def serverlog(log, out):
    routes, jobs = {}, {}
    retried = gave_up = 0
    with open(log, errors="replace") as handle:
        for line in handle:
            if "tries left, try again" in line:
                retried += 1
            elif "maximum number of tries reached" in line:
                gave_up += 1
            elif match := REQUEST.search(line):
                path, _status, queries, sql, other = match.groups()
                route = routes.setdefault(path, [0, 0, 0.0, 0.0])
                route[0] += 1
                route[1] += int(queries)
                route[2] += float(sql)
                route[3] += float(other)
            elif match := JOB_DONE.search(line):
                jobs[match.group(1)] = jobs.get(match.group(1), 0.0) + float(match.group(2))
    Path(out).write_text(
        json.dumps({"retried": retried, "gave_up": gave_up, "routes": routes, "jobs": jobs})
    )


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(out_dir):
    copies = {False: [], True: []}
    retries = {False: [0, 0], True: [0, 0]}
    for path in sorted(Path(out_dir).glob("round-*.json")):
        data = json.loads(path.read_text())
        copies[data["module"]].append(data)
        counts = json.loads(path.with_suffix(".server").read_text())
        data["server"] = counts
        retries[data["module"]][0] += counts["retried"]
        retries[data["module"]][1] += counts["gave_up"]
    print(
        "| operation | Odoo alone: done | ops/s | p50 | p95 | with the module: done | ops/s | p50 | p95 "
        "| p50 ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    failures = {}
    for name, (_weight, with_module, without) in OPERATIONS.items():
        cells = []
        medians = []
        for module in (False, True):
            seconds = sum(data["seconds"] for data in copies[module])
            done = [
                latency
                for data in copies[module]
                for op, latency, error in data["results"]
                if op == name and not error
            ]
            failures[module] = failures.get(module, 0) + sum(
                1
                for data in copies[module]
                for op, _latency, error in data["results"]
                if op == name and error
            )
            if done:
                median = statistics.median(done)
                medians.append(median)
                cells += [
                    str(len(done)),
                    f"{len(done) / seconds:.2f}",
                    f"{median * 1000:.0f} ms",
                    f"{percentile(done, 0.95) * 1000:.0f} ms",
                ]
            else:
                medians.append(None)
                cells += ["0", "-", "-", "-"]
        ratio = f"x{medians[1] / medians[0]:.2f}" if all(medians) else "-"
        label = with_module if with_module == without else f"{without} / {with_module}"
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    for module in (False, True):
        name = "with the module" if module else "Odoo alone"
        rounds = copies[module]
        per_round = []
        for data in rounds:
            moves = [
                latency for op, latency, error in data["results"] if op == "move" and not error
            ]
            per_round.append(f"{statistics.median(moves) * 1000:.0f} ms" if moves else "-")
        print(
            f"\n{name}: {len(rounds)} rounds of {rounds[0]['seconds']:.0f} s with {rounds[0]['reps']} "
            f"salespeople pausing {rounds[0]['think']:.2f} s on average between actions, "
            f"{sum(len(data['results']) for data in rounds)} requests, "
            f"{failures.get(module, 0)} failed; serialization failures retried by Odoo: {retries[module][0]}, "
            f"given up after Odoo's retries: {retries[module][1]}; stage move p50 per round: {', '.join(per_round)}"
        )
        errors = sorted(
            {error for data in rounds for _op, _latency, error in data["results"] if error}
        )
        for error in errors[:5]:
            print(f"  failed: {error}")
        jobs = {}
        for data in rounds:
            for job, seconds in data["server"]["jobs"].items():
                jobs[job] = jobs.get(job, 0.0) + seconds
        busy = ", ".join(
            f"{job} {seconds:.1f} s"
            for job, seconds in sorted(jobs.items(), key=lambda item: -item[1])
            if seconds >= 0.5
        )
        print(f"  scheduled jobs' time: {busy or 'under 0.5 s each'}")
    print("\nOn the server, per request (its log): queries, SQL time, other time")
    print(
        "| route | Odoo alone: requests | queries | SQL | other | with the module: requests | queries | SQL | other |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {}
    for module in (False, True):
        for data in copies[module]:
            for route, (count, queries, sql, other) in data["server"]["routes"].items():
                total = totals.setdefault(route, {}).setdefault(module, [0, 0, 0.0, 0.0])
                for index, value in enumerate((count, queries, sql, other)):
                    total[index] += value
    for route, by_copy in sorted(
        totals.items(), key=lambda item: -sum(v[0] for v in item[1].values())
    ):
        if not route.startswith("/web/dataset/call_kw/"):
            continue
        cells = []
        for module in (False, True):
            count, queries, sql, other = by_copy.get(module, [0, 0, 0.0, 0.0])
            cells += (
                [
                    str(count),
                    f"{queries / count:.1f}",
                    f"{sql / count * 1000:.1f} ms",
                    f"{other / count * 1000:.1f} ms",
                ]
                if count
                else ["0", "-", "-", "-"]
            )
        print(f"| {route.removeprefix('/web/dataset/call_kw/')} | " + " | ".join(cells) + " |")
    return failures


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:9])
    elif sys.argv[1] == "serverlog":
        serverlog(*sys.argv[2:4])
    else:
        failed = report(sys.argv[2])
        sys.exit(1 if any(failed.values()) else 0)
