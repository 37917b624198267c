#!/usr/bin/env python3
"""Helpers of bench/notify.sh (Python 3 standard library only).

  hub.py latency  --vigil URL --token T --port R --exporter-port E [--n N] [--extra M] [--out FILE]
      One process: a webhook receiver on 127.0.0.1:R (POST /hook/vigil, /hook/am), an exporter on
      127.0.0.1:E (GET /metrics, scraped by Prometheus every second) and the driver. For each fault
      i (a new host label each time, so a new series, a new fault and a new aggregation group), the
      driver waits a random 0-1 s (so faults land at every phase of the scrape and evaluation
      ticks), takes T = time.time(), sets bench_fault{host} = 100 on the exporter and POSTs the same
      sample to Vigil's /api/v1/ingest, then waits for the firing webhook of both (Vigil's
      Alertmanager-shaped body and Alertmanager's). Latency = receipt - T, where receipt is taken as
      soon as the request's headers are read. Afterwards the fault is cleared (series dropped from the
      exporter, value 0 to Vigil) so neither side accumulates open alerts. Then --extra faults to Vigil
      alone, back to back (no wait). Writes the raw latencies as JSON to --out, prints a RESULT line.

  hub.py receiver --port D
      The outbox's receiver: POST /hook/<name> answers 200 (mode ok) or 503 (mode fail) and records,
      per 2xx, the Idempotency-Key and the receipt time. POST /control/mode?m=ok|fail switches;
      GET /control/stats returns the counts as JSON. Keep-alive (HTTP/1.1), one thread a connection.

  hub.py raise --vigil URL --token T --prefix P --n N [--batch B]
      POSTs bench_backlog = 100 for N new hosts P-0 .. P-(N-1), B samples a request: N faults at once.

  hub.py keep --vigil URL --token T --spec P:N [--spec P2:N2] [--every S]
      Every S seconds (60), POSTs bench_backlog = 100 again for those hosts, until killed: the faults
      stay firing (without samples they would go stale after 5 min and resolve).

  hub.py load --url URL [--seconds S] [--conns C]
      Posts a 1.5 kB body to URL as fast as it can on C keep-alive connections (one thread each) and
      prints requests/s: a quick check that the receiver is not the bottleneck (wrk, when installed,
      is better; notify.sh uses wrk).
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a client that hung up (wrk stopping, Vigil closing a pooled connection) is not news


# ---- latency ------------------------------------------------------------------------------------

class Latency:
    def __init__(self):
        self.lock = threading.Lock()
        self.gauges = {}           # host -> value, served on /metrics
        self.arrivals = {}         # (source, host) -> receipt time of the first firing webhook
        self.events = {}           # (source, host) -> threading.Event
        self.other = {"vigil": 0, "am": 0}  # webhooks that matched no waiting fault (resolved, repeats)

    def expect(self, host):
        with self.lock:
            for src in ("vigil", "am"):
                self.events[(src, host)] = threading.Event()

    def arrived(self, src, body, t):
        try:
            doc = json.loads(body)
        except ValueError:
            return
        matched = False
        if doc.get("status") == "firing":
            for a in doc.get("alerts", []):
                if a.get("status") != "firing":
                    continue
                host = a.get("labels", {}).get("host")
                with self.lock:
                    key = (src, host)
                    if key in self.events and key not in self.arrivals:
                        self.arrivals[key] = t
                        self.events[key].set()
                        matched = True
        if not matched:
            with self.lock:
                self.other[src] = self.other.get(src, 0) + 1


def latency_handler(state):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            t = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            src = self.path.rsplit("/", 1)[-1]
            state.arrived(src, body, t)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            with state.lock:
                lines = ["# TYPE bench_fault gauge"]
                for host, v in state.gauges.items():
                    lines.append('bench_fault{customer="bench",system="notify",host="%s"} %g' % (host, v))
            out = ("\n".join(lines) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
    return H


class Ingest:
    """Keep-alive POSTs to Vigil's JSON ingest."""

    def __init__(self, url, token):
        self.host, self.port = url.split("//", 1)[1].rstrip("/").split(":")
        self.token = token
        self.conn = None

    def post(self, samples):
        body = json.dumps({"samples": samples}).encode()
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
                self.conn.request("POST", "/api/v1/ingest", body, {"Content-Type": "application/json",
                                                                    "Authorization": "Bearer " + self.token})
                r = self.conn.getresponse()
                r.read()
                return r.status
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise
        return 0


def sample(metric, host, value, system="notify"):
    return {"metric": metric, "labels": {"customer": "bench", "system": system, "host": host}, "value": value}


def pct(xs, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summary(xs):
    if not xs:
        return {"n": 0}
    ms = [x * 1000 for x in xs]
    return {"n": len(ms), "p50": statistics.median(ms), "p90": pct(ms, 90), "p99": pct(ms, 99), "max": max(ms), "min": min(ms)}


def run_latency(a):
    state = Latency()
    srv = Server(("127.0.0.1", a.port), latency_handler(state))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    exp = Server(("127.0.0.1", a.exporter_port), latency_handler(state))
    threading.Thread(target=exp.serve_forever, daemon=True).start()
    if a.ready_file:
        open(a.ready_file, "w").close()
    if a.start_after > 0:
        time.sleep(a.start_after)  # Prometheus' first scrapes and rule evaluations, Alertmanager's start
    vigil = Ingest(a.vigil, a.token)
    run = "%x" % int(time.time())
    both = {"vigil": [], "am": []}
    trials = []  # (host, T, Vigil's receipt, Alertmanager's receipt): notify.sh joins them with Vigil's own timestamps
    missed = {"vigil": 0, "am": 0}
    bad_ingest = 0
    total = a.warmup + a.n
    for i in range(total):
        host = "h%s-%d" % (run, i)
        state.expect(host)
        time.sleep(random.random())
        t = time.time()
        with state.lock:
            state.gauges[host] = 100
        if vigil.post([sample("bench_fault", host, 100)]) != 204:
            bad_ingest += 1
        ok = state.events[("vigil", host)].wait(a.timeout) and state.events[("am", host)].wait(a.timeout)
        if i >= a.warmup:
            trials.append([host, t, state.arrivals.get(("vigil", host)), state.arrivals.get(("am", host))])
        for src in ("vigil", "am"):
            got = state.arrivals.get((src, host))
            if i >= a.warmup:
                if got is None:
                    missed[src] += 1
                else:
                    both[src].append(got - t)
        with state.lock:
            state.gauges.pop(host, None)
        vigil.post([sample("bench_fault", host, 0)])
        if (i + 1) % 20 == 0:
            v = summary(both["vigil"]); p = summary(both["am"])
            print("hub: %d/%d faults; vigil p50 %.1f ms, alertmanager p50 %.0f ms%s" % (
                i + 1, total, v.get("p50", 0), p.get("p50", 0), "" if ok else " (a webhook missed)"), file=sys.stderr, flush=True)
    alone = []
    missed_alone = 0
    for i in range(a.extra):
        host = "x%s-%d" % (run, i)
        state.expect(host)
        time.sleep(a.extra_gap)
        t = time.time()
        if vigil.post([sample("bench_fault", host, 100)]) != 204:
            bad_ingest += 1
        if state.events[("vigil", host)].wait(a.timeout):
            alone.append(state.arrivals[("vigil", host)] - t)
            trials.append([host, t, state.arrivals[("vigil", host)], None])
        else:
            missed_alone += 1
        vigil.post([sample("bench_fault", host, 0)])
    out = {"trials": trials, "vigil": both["vigil"], "alertmanager": both["am"], "vigil_alone": alone,
           "missed": {"vigil": missed["vigil"], "alertmanager": missed["am"], "vigil_alone": missed_alone},
           "bad_ingest": bad_ingest, "other_webhooks": state.other,
           "summary": {"vigil": summary(both["vigil"]), "alertmanager": summary(both["am"]), "vigil_alone": summary(alone)}}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f)
    s = out["summary"]
    print("RESULT" + "".join(" %s_%s=%s" % (k, m, ("%.1f" % v) if isinstance(v, float) else v)
                             for k in ("vigil", "alertmanager", "vigil_alone") for m, v in s[k].items())
          + " missed_vigil=%d missed_am=%d missed_alone=%d bad_ingest=%d" % (missed["vigil"], missed["am"], missed_alone, bad_ingest))
    srv.shutdown(); exp.shutdown()


# ---- the outbox's receiver ----------------------------------------------------------------------

class Receipts:
    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "ok"
        self.ok = 0                 # 2xx answers
        self.failed = 0             # 503 answers (mode fail)
        self.keys = {}              # idempotency key -> times answered 2xx
        self.first_ok = None
        self.last_ok = None
        self.first_fail = None
        self.last_fail = None
        self.mode_at = time.time()
        self.per_path = {}
        self.per_second = {}        # int(receipt time) -> 2xx answers in that second
        self.bytes = 0


def receiver_handler(st):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body=b""):
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            if body:
                self.send_header("Content-Type", "application/json")
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_POST(self):
            t = time.time()
            n = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(n)
            if self.path.startswith("/control/mode"):
                with st.lock:
                    st.mode = self.path.split("m=", 1)[1] if "m=" in self.path else "ok"
                    st.mode_at = t
                self.reply(200, json.dumps({"mode": st.mode, "at": t}).encode())
                return
            key = self.headers.get("Idempotency-Key", "")
            with st.lock:
                st.bytes += len(body)
                if st.mode == "ok":
                    st.ok += 1
                    st.keys[key] = st.keys.get(key, 0) + 1
                    st.per_path[self.path] = st.per_path.get(self.path, 0) + 1
                    if st.first_ok is None:
                        st.first_ok = t
                    st.last_ok = t
                    s = int(t)
                    st.per_second[s] = st.per_second.get(s, 0) + 1
                    code = 200
                else:
                    st.failed += 1
                    if st.first_fail is None:
                        st.first_fail = t
                    st.last_fail = t
                    code = 503
            self.reply(code)

        def do_GET(self):
            if self.path.startswith("/control/reset"):
                with st.lock:
                    st.__init__()
                self.reply(200, b"{}")
                return
            with st.lock:
                dup = sum(c - 1 for c in st.keys.values() if c > 1)
                out = {"mode": st.mode, "mode_at": st.mode_at, "ok": st.ok, "failed": st.failed, "distinct_keys": len(st.keys),
                       "duplicates": dup, "first_ok": st.first_ok, "last_ok": st.last_ok, "first_fail": st.first_fail,
                       "last_fail": st.last_fail, "per_path": st.per_path, "bytes": st.bytes,
                       "peak_per_second": max(st.per_second.values()) if st.per_second else 0}
            self.reply(200, json.dumps(out).encode())
    return H


def run_receiver(a):
    st = Receipts()
    srv = Server(("127.0.0.1", a.port), receiver_handler(st))
    print("hub: receiver on 127.0.0.1:%d" % a.port, file=sys.stderr, flush=True)
    srv.serve_forever()


# ---- a simple load generator (for checking the receiver alone) ----------------------------------

def run_load(a):
    host, rest = a.url.split("//", 1)[1].split("/", 1)
    h, p = host.split(":")
    body = json.dumps({"x": "y" * 1500}).encode()
    stop = time.time() + a.seconds
    counts = [0] * a.conns

    def worker(i):
        c = http.client.HTTPConnection(h, int(p))
        while time.time() < stop:
            c.request("POST", "/" + rest, body, {"Content-Type": "application/json", "Idempotency-Key": "load-%d-%d" % (i, counts[i])})
            c.getresponse().read()
            counts[i] += 1
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(a.conns)]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("RESULT requests=%d per_s=%.0f" % (sum(counts), sum(counts) / (time.time() - t0)))


# ---- raising many faults ------------------------------------------------------------------------

def run_raise(a):
    """POSTs bench_backlog = 100 for hosts PREFIX-0 .. PREFIX-(n-1): n new series, n faults."""
    vigil = Ingest(a.vigil, a.token)
    t0 = time.time()
    bad = 0
    refused = 0
    for start in range(0, a.n, a.batch):
        batch = [sample("bench_backlog", "%s-%d" % (a.prefix, i), 100, system="backlog") for i in range(start, min(a.n, start + a.batch))]
        deadline = time.time() + 900
        while True:
            status = vigil.post(batch)
            if status == 204:
                break
            if status != 503 or time.time() > deadline:
                bad += 1
                break
            refused += 1
            time.sleep(1)  # 503 (back-pressure: faults queued, VIGIL_MAX_PENDING_FAULT_WRITES): as a client should, try again
    print("RESULT faults=%d seconds=%.1f failed_batches=%d refused_503=%d" % (a.n, time.time() - t0, bad, refused))


def run_keep(a):
    """Re-POSTs bench_backlog = 100 for the hosts of every --spec PREFIX:N every --every seconds until
    killed: the hosts keep reporting their broken value during the outage, as real ones do, so the
    faults stay firing instead of going stale (5 min without a sample) and resolving mid-run."""
    vigil = Ingest(a.vigil, a.token)
    specs = [(p, int(n)) for p, n in (x.split(":") for x in a.spec)]
    while True:
        time.sleep(a.every)
        t0 = time.time()
        for prefix, n in specs:
            for start in range(0, n, 1000):
                batch = [sample("bench_backlog", "%s-%d" % (prefix, i), 100, system="backlog") for i in range(start, min(n, start + 1000))]
                for attempt in range(120):  # 503 while faults are queued: wait, as a client should
                    if vigil.post(batch) == 204:
                        break
                    time.sleep(1)
        print("hub: keep: refreshed %s in %.1f s" % (",".join(a.spec), time.time() - t0), file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    la = sub.add_parser("latency")
    la.add_argument("--vigil", required=True)
    la.add_argument("--token", required=True)
    la.add_argument("--port", type=int, required=True)
    la.add_argument("--exporter-port", type=int, required=True)
    la.add_argument("--n", type=int, default=120)
    la.add_argument("--warmup", type=int, default=5)
    la.add_argument("--extra", type=int, default=300)
    la.add_argument("--extra-gap", type=float, default=0.05)
    la.add_argument("--timeout", type=float, default=15)
    la.add_argument("--start-after", type=float, default=0)
    la.add_argument("--ready-file")
    la.add_argument("--out")
    re_ = sub.add_parser("receiver")
    re_.add_argument("--port", type=int, required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--url", required=True)
    lo.add_argument("--seconds", type=float, default=10)
    lo.add_argument("--conns", type=int, default=4)
    ra = sub.add_parser("raise")
    ra.add_argument("--vigil", required=True)
    ra.add_argument("--token", required=True)
    ra.add_argument("--prefix", required=True)
    ra.add_argument("--n", type=int, required=True)
    ra.add_argument("--batch", type=int, default=1000)
    ke = sub.add_parser("keep")
    ke.add_argument("--vigil", required=True)
    ke.add_argument("--token", required=True)
    ke.add_argument("--spec", action="append", required=True)
    ke.add_argument("--every", type=float, default=60)
    a = ap.parse_args()
    {"latency": run_latency, "receiver": run_receiver, "load": run_load, "raise": run_raise, "keep": run_keep}[a.cmd](a)


if __name__ == "__main__":
    main()
