"""Load benchmark: completions over HTTP against a running server, with 1, 4, 8 and 16 clients.

Each client signs in as a district reviewer (the clients spread over the districts, two per district
past eleven), reads a page of 100 tasks of its inbox (``GET /api/v1/tasks``; the clients of one district
split its tasks between them by task id, so they do not race for the same task) and returns each
ready review task of its share to the enterprise with a comment (``POST /api/v1/tasks/{id}/complete``;
a return is always allowed, an approval may be refused by the R5 budget), then reads the inbox again.
Each level starts from the district after the last one the previous level used. A completion counts when
it answers 200 with status ``returned``; a 409 (the task was no longer ready) is counted apart; any 5xx
is an error; a client whose inbox share has no review task left counts an ``empty`` read and waits 50 ms
(a district of a database built with 100,000 cases holds about 1,000 review tasks: levels run one after
another on one database drain the first districts, so a level with ``empty`` reads measured fewer busy
clients than it says; run each level on a fresh copy for the headline figure). Prints completions/s,
p50/p95/p99 of the completion request, the errors and the CPU ms per completion of the server's workers
(recycled ones included), of PostgreSQL and of this client; asserts nothing about time.

Run against a server on a database built by bench_scale.py, e.g.::

    createdb -T h13_template h13_bench   # a fresh copy of a database built by bench_scale.py
    GUNICORN_BIND=127.0.0.1:8731 DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/h13_bench \\
        .venv/bin/gunicorn -c gunicorn.conf.py 'webapp:create_app()' &
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8731 --clients 16 --seconds 15 \\
        --gunicorn-pid $!
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

DISTRICTS = ("440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117",
             "440118")


def call(url: str, method: str = "GET", body: dict[str, Any] | None = None, token: str | None = None
         ) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def _cpu_of(pid: int | str, tick: int) -> tuple[float, float]:
    """User + system CPU seconds of one process, and of its children that have exited and been waited for
    (the workers gunicorn recycled, the backends PostgreSQL's postmaster reaped)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def server_cpu_seconds(master: int) -> float:
    """CPU seconds of a gunicorn master's workers so far, the live ones and those it recycled (Linux /proc;
    0 if unreadable)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            children = [int(p) for p in f.read().split()]
        total = _cpu_of(master, tick)[1]  # the recycled workers
    except OSError:
        return 0.0
    for pid in children:
        try:
            total += _cpu_of(pid, tick)[0]
        except (OSError, IndexError, ValueError):
            continue
    return total


def postgres_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL server process on this machine so far, with the backends that have
    exited (Linux /proc; 0 if none is readable): the database's share of the work when it runs beside the
    server."""
    import os

    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if not f.read().startswith("postgres"):
                    continue
            total += sum(_cpu_of(entry, tick))
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(base: str, clients: int, seconds: float, password: str, master: int = 0, first: int = 0) -> dict[str, Any]:
    """One level: ``clients`` reviewers from district number ``first`` on (levels rotate through the
    districts, so no district's inbox runs dry before the others)."""
    tokens = []
    for i in range(clients):
        who = f"review-{DISTRICTS[(first + i) % len(DISTRICTS)]}"
        status, body = call(f"{base}/api/v1/auth/token", "POST", {"username": who, "password": password})
        if status not in (200, 201):
            raise SystemExit(f"sign-in as {who} failed: {status} {body}")
        tokens.append(body["token"])
    lock = threading.Lock()
    latencies: list[float] = []
    tally = {"ok": 0, "conflict": 0, "other_4xx": 0, "5xx": 0, "empty": 0, "wrong": 0}
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(token: str, offset: int, share: int) -> None:
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            status, body = call(f"{base}/api/v1/tasks?per_page=100&kind=filing", token=token)
            items = [t for t in (body or {}).get("items", []) if t["name"] == "district_review"] \
                if status == 200 else []
            # The clients of one district split its tasks by a stable function of the task id (not by position
            # on the page, which shifts as the other client completes its own): they never race for a task.
            mine = [t for t in items if int(t["id"].replace("-", "")[:8], 16) % share == offset]
            if not mine:
                with lock:
                    tally["empty" if status == 200 else ("5xx" if status >= 500 else "other_4xx")] += 1
                time.sleep(0.05)
                continue
            for task in mine:
                if time.perf_counter() >= stop_at[0]:
                    break
                t0 = time.perf_counter()
                status, body = call(f"{base}/api/v1/tasks/{task['id']}/complete", "POST",
                                    {"decision": "return", "comment": "负载测试：请补充材料"}, token)
                elapsed = time.perf_counter() - t0
                with lock:
                    if status == 200:
                        if body.get("status") == "returned":
                            tally["ok"] += 1
                            latencies.append(elapsed)
                        else:
                            tally["wrong"] += 1
                    elif status == 409:
                        tally["conflict"] += 1
                    elif status >= 500:
                        tally["5xx"] += 1
                    else:
                        tally["other_4xx"] += 1

    per_district = [sum(1 for j in range(clients) if j % len(DISTRICTS) == i % len(DISTRICTS))
                    for i in range(clients)]
    threads = [threading.Thread(target=client, args=(t, i // len(DISTRICTS), per_district[i]))
               for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    cpu0 = server_cpu_seconds(master) if master else 0.0
    pg0, own0 = postgres_cpu_seconds(), time.process_time()
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = (server_cpu_seconds(master) - cpu0) if master else 0.0
    pg, own = postgres_cpu_seconds() - pg0, time.process_time() - own0
    done = max(tally["ok"], 1)
    return {"clients": clients, "seconds": wall, "per_second": tally["ok"] / wall, "p50": pct(latencies, 50),
            "p95": pct(latencies, 95), "p99": pct(latencies, 99),
            "cpu_ms": cpu * 1000 / done if master else 0.0, "pg_ms": pg * 1000 / done,
            "client_ms": own * 1000 / done, **tally}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="base URL of a running server, e.g. http://127.0.0.1:8731")
    parser.add_argument("--clients", default="1,4,8,16")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--password", default="Demo@2026")
    parser.add_argument("--gunicorn-pid", type=int, default=0,
                        help="the server's gunicorn master pid (same machine): also print its workers' CPU "
                             "ms per completion, inbox reads included (PostgreSQL's and this client's CPU ms "
                             "per completion are always printed)")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    print(f"server {base}; each level runs {args.seconds:.0f} s; a completion = return of a district review task")
    print(f"{'clients':>7} {'compl/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'ok':>6} {'409':>5} "
          f"{'4xx':>4} {'5xx':>4} {'empty':>5}" + (f" {'server ms':>9}" if args.gunicorn_pid else "")
          + f" {'pg ms':>6} {'client ms':>9}")
    first = 0
    for n in (int(x) for x in args.clients.split(",")):
        r = run(base, n, args.seconds, args.password, args.gunicorn_pid, first)
        first += n
        print(f"{r['clients']:>7} {r['per_second']:>8.1f} {r['p50'] * 1000:>7.1f} {r['p95'] * 1000:>7.1f} "
              f"{r['p99'] * 1000:>7.1f} {r['ok']:>6} {r['conflict']:>5} {r['other_4xx']:>4} {r['5xx']:>4} "
              f"{r['empty']:>5}" + (f" {r['cpu_ms']:>9.1f}" if args.gunicorn_pid else "")
              + f" {r['pg_ms']:>6.1f} {r['client_ms']:>9.1f}")
        if r["wrong"]:
            print(f"  {r['wrong']} completions answered 200 with an unexpected status")


if __name__ == "__main__":
    main()
