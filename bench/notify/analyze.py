#!/usr/bin/env python3
"""Figures for bench/notify.sh from the receiver's records (JSON lines) and the drivers' T files.

  analyze.py latency TFILE RECORDS PATH   -> LAT_RESULT n= sent= missing= p50= p99= max= min= (ms; first 2xx receipt per host − T)
  analyze.py outbox RECORDS PATH N T_OK   -> BOX_RESULT ...
"""
import json, math, statistics, sys


def records(path, want):
    with open(path) as f:
        for line in f:
            t, p, code, key, hosts, name = json.loads(line)
            if p == want:
                yield t, code, key, hosts, name


def pct(xs, q):
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def latency(tfile, recs, path):
    sent = {}
    for line in open(tfile):
        parts = line.split()
        if len(parts) == 2:
            sent[parts[0]] = float(parts[1])
    first = {}
    for t, code, key, hosts, name in records(recs, path):
        if code != 200:
            continue
        for h in hosts:
            if h in sent and h not in first:
                first[h] = t
    lat = [(first[h] - sent[h]) * 1000 for h in sent if h in first]
    if not lat:
        print("LAT_RESULT n=0 sent=%d missing=%d" % (len(sent), len(sent)))
        return
    print("LAT_RESULT n=%d sent=%d missing=%d p50=%.1f p99=%.1f max=%.1f min=%.1f mean=%.1f" % (
        len(lat), len(sent), len(sent) - len(lat), statistics.median(lat), pct(lat, 0.99), max(lat), min(lat), statistics.mean(lat)))


def outbox(recs, path, n, t_ok):
    keys, hosts, dup, ok, refused_during, refused_after = {}, set(), 0, 0, 0, 0
    first_ok = last_ok = None
    multi = 0
    for t, code, key, hs, name in records(recs, path):
        if code != 200:
            if t < t_ok:
                refused_during += 1
            else:
                refused_after += 1
            continue
        ok += 1
        if key in keys:
            dup += 1
            if keys[key] != tuple(hs):
                multi += 1
        else:
            keys[key] = tuple(hs)
        hosts.update(hs)
        first_ok = t if first_ok is None else min(first_ok, t)
        last_ok = t if last_ok is None else max(last_ok, t)
    drain = (last_ok - t_ok) if last_ok else float("nan")
    after_first = (last_ok - first_ok) if last_ok else float("nan")
    rate = len(keys) / drain if last_ok and drain > 0 else float("nan")
    rate_first = len(keys) / after_first if last_ok and after_first > 0 else float("nan")
    print("BOX_RESULT n=%d keys=%d hosts=%d accepted=%d duplicates=%d dup_other_body=%d refused_during=%d refused_after=%d "
          "first_ok_after=%.2f drain_s=%.2f from_first_s=%.2f rate=%.0f rate_from_first=%.0f" % (
              n, len(keys), len(hosts), ok, dup, multi, refused_during, refused_after,
              (first_ok - t_ok) if first_ok else float("nan"), drain, after_first, rate, rate_first))


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "latency":
        latency(a[2], a[3], a[4])
    elif a[1] == "outbox":
        outbox(a[2], a[3], int(a[4]), float(a[5]))
