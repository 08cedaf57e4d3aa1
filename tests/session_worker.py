"""A second (third...) application process on the test's database, driven line by line over stdin/stdout
with JSON commands, for the tests that need several processes to agree (lockout, sign-out everywhere).

Run as ``python -m tests.session_worker <database url>``; each input line is a command, each output line
the JSON answer:
  {"op": "login", "username": ..., "password": ...}   -> {"status", "location", "text"}
  {"op": "get", "path": ...}                           -> {"status", "location"}
  {"op": "post", "path": ..., "data": {...}}           -> {"status", "location"}
  {"op": "token", "username": ..., "password": ...}    -> {"status", "json"}
  {"op": "api_get", "path": ..., "token": ...}         -> {"status", "json"}
"""

from __future__ import annotations

import json
import sys
from html import unescape


def main(url: str) -> None:
    from config import TestConfig
    from webapp import create_app

    class WorkerConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SCHEDULER_ENABLED = False

    app = create_app(WorkerConfig)
    client = app.test_client()
    api = app.test_client()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "quit":
            break
        if op == "login":
            r = client.post("/login", data={"username": command["username"], "password": command["password"]})
            out = {"status": r.status_code, "location": r.headers.get("Location", ""),
                   "text": unescape(r.get_data(as_text=True))}
        elif op == "get":
            r = client.get(command["path"])
            out = {"status": r.status_code, "location": r.headers.get("Location", "")}
        elif op == "post":
            r = client.post(command["path"], data=command.get("data", {}))
            out = {"status": r.status_code, "location": r.headers.get("Location", "")}
        elif op == "token":
            r = api.post("/api/v1/auth/token", json={"username": command["username"],
                                                      "password": command["password"]})
            out = {"status": r.status_code, "json": r.get_json()}
        elif op == "api_get":
            r = api.get("/api/v1" + command["path"], headers={"Authorization": f"Bearer {command['token']}"})
            out = {"status": r.status_code, "json": r.get_json()}
        else:
            out = {"error": f"unknown op {op}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
