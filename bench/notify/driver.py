#!/usr/bin/env python3
"""Load side of bench/notify.sh. Every flip is a new host whose gauge `up` appears at 0 at time T.

  driver.py vigil-flips URL TOKEN COUNT SPACING_MS OUT [PREFIX]
      POSTs {"samples":[{metric: up, labels: {customer: lat, system: bench, host: PREFIX I (lat-v)}, value: 0}]}
      to URL/api/v1/ingest, one every SPACING_MS; T (time.time() just before the request) per host in OUT
  driver.py exporter PORT COUNT SPACING_MS OUT
      serves /metrics (Prometheus text) for Prometheus to scrape; on POST /_go it starts COUNT flips
      SPACING_MS apart (host peer-hI appears with up 0 at T), writes "host T" lines to OUT, then "done"
  driver.py fill URL TOKEN N BATCH OUT
      POSTs N distinct hosts box-hI with up 0 (customer box), BATCH samples a request, honouring 503 Retry-After;
      writes a summary line to OUT
"""
import http.client, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


def conn(url):
    u = urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def post(c, token, body):
    c.request("POST", "/api/v1/ingest", body=body, headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    r = c.getresponse()
    data = r.read()
    return r.status, r.getheader("Retry-After"), data


def sample(customer, host):
    return '{"metric":"up","labels":{"customer":"%s","system":"bench","host":"%s"},"value":0}' % (customer, host)


def vigil_flips(url, token, count, spacing_ms, out, prefix="lat-v"):
    c = conn(url)
    start = time.time() + 0.2
    with open(out, "w") as f:
        for i in range(count):
            slot = start + i * spacing_ms / 1000
            time.sleep(max(0, slot - time.time()))
            host = "%s%d" % (prefix, i)
            t = time.time()
            st, _, data = post(c, token, '{"samples":[%s]}' % sample("lat", host))
            if st != 204 and st != 200:
                sys.exit("ingest answered %d: %s" % (st, data[:300]))
            f.write("%s %.6f\n" % (host, t))


def exporter(port, count, spacing_ms, out):
    lines = []          # exposition lines for the hosts flipped so far
    lock = threading.Lock()

    def flips():
        start = time.time() + 0.2
        with open(out, "w") as f:
            for i in range(count):
                slot = start + i * spacing_ms / 1000
                time.sleep(max(0, slot - time.time()))
                host = "peer-h%d" % i
                with lock:
                    t = time.time()
                    lines.append('up{customer="lat",system="bench",host="%s"} 0\n' % host)
                f.write("%s %.6f\n" % (host, t))
                f.flush()
            f.write("done\n")

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, body):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with lock:
                body = ("# TYPE up gauge\n" + "".join(lines)).encode()
            self.reply(body)

        def do_POST(self):
            threading.Thread(target=flips, daemon=True).start()
            self.reply(b"go\n")

    class S(ThreadingHTTPServer):
        daemon_threads = True

    S(("127.0.0.1", port), H).serve_forever()


def fill(url, token, n, batch, out):
    c = conn(url)
    t0 = time.time()
    retries = 0
    for lo in range(0, n, batch):
        body = '{"samples":[%s]}' % ",".join(sample("box", "box-h%d" % i) for i in range(lo, min(n, lo + batch)))
        while True:
            st, after, data = post(c, token, body)
            if st == 503:
                retries += 1
                time.sleep(min(1.0, float(after or 0.2)))
                continue
            if st not in (200, 204):
                sys.exit("ingest answered %d: %s" % (st, data[:300]))
            break
    with open(out, "w") as f:
        f.write("FILL_RESULT n=%d batch=%d seconds=%.2f retries_503=%d\n" % (n, batch, time.time() - t0, retries))


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "vigil-flips":
        vigil_flips(a[2], a[3], int(a[4]), float(a[5]), a[6], *a[7:8])
    elif a[1] == "exporter":
        exporter(int(a[2]), int(a[3]), float(a[4]), a[5])
    elif a[1] == "fill":
        fill(a[2], a[3], int(a[4]), int(a[5]), a[6])
    else:
        sys.exit(__doc__)
