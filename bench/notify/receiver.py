#!/usr/bin/env python3
"""Webhook receiver for bench/notify.sh (Python stdlib, one thread per connection, HTTP/1.1 keep-alive).

  receiver.py PORT
Every POST to a path other than /_* is recorded (receipt time, path, status answered, Idempotency-Key,
the alerts' host labels). Answers 200, or 503 while the mode is "fail".
  POST /_mode/ok | /_mode/fail   switch (answers the switch time)
  GET  /_stats                   per path: accepted, refused, distinct accepted keys, duplicates, last accepted time
  POST /_dump?file=PATH          writes every record as JSON lines to PATH
"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
RECORDS = []           # (t, path, code, key, hosts, alertname)
STATS = {}             # path -> dict
MODE = {"fail": False, "since": time.time()}


def path_stats(path):
    s = STATS.get(path)
    if s is None:
        s = STATS[path] = {"accepted": 0, "refused": 0, "keys": set(), "duplicates": 0, "first_ok": None, "last_ok": None}
    return s


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if code == 503:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/_stats"):
            with LOCK:
                out = {p: {k: (len(v) if k == "keys" else v) for k, v in s.items()} for p, s in STATS.items()}
                out["_mode"] = {"fail": MODE["fail"], "since": MODE["since"], "records": len(RECORDS)}
            return self.answer(200, json.dumps(out).encode())
        self.answer(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        t = time.time()
        u = urlparse(self.path)
        if u.path.startswith("/_mode/"):
            with LOCK:
                MODE["fail"] = u.path == "/_mode/fail"
                MODE["since"] = t
            return self.answer(200, json.dumps({"t": t}).encode())
        if u.path == "/_dump":
            f = parse_qs(u.query)["file"][0]
            with LOCK:
                rows = list(RECORDS)
            with open(f, "w") as out:
                for r in rows:
                    out.write(json.dumps(r) + "\n")
            return self.answer(200, json.dumps({"records": len(rows)}).encode())
        key = self.headers.get("Idempotency-Key")
        hosts, name = [], None
        try:
            doc = json.loads(body)
            for a in doc.get("alerts", []):
                lab = a.get("labels", {})
                hosts.append(lab.get("host"))
                name = name or lab.get("alertname")
        except Exception:
            pass
        with LOCK:
            code = 503 if MODE["fail"] else 200
            s = path_stats(u.path)
            if code == 200:
                s["accepted"] += 1
                if key is not None:
                    if key in s["keys"]:
                        s["duplicates"] += 1
                    s["keys"].add(key)
                s["first_ok"] = s["first_ok"] or t
                s["last_ok"] = t
            else:
                s["refused"] += 1
            RECORDS.append((t, u.path, code, key, hosts, name))
        self.answer(code, b"{}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
