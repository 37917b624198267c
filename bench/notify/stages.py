#!/usr/bin/env python3
"""Splits Vigil's fault -> webhook latency into stages (bench/notify.sh).

stages.py LATENCY_JSON STAGES_CSV: LATENCY_JSON is hub.py latency's output (per fault: host, T,
receipt); STAGES_CSV has, per BenchFault fault, `host,opened,routed` in epoch seconds from Vigil's
tables: the ticket's opened_at (the pipeline's clock when it recorded the fault, after the sample's
commit and the rule evaluation) and the outbox row's routed_at (the router pass's start). Prints a
Markdown table of the three stages:
  T -> recorded    ingest request, sample batch commit, rule evaluation
  recorded -> routed   fault + ticket transaction (outbox trigger, pg_notify) commit, LISTEN wake, router pass start
  routed -> received   router pass (read outbox, group, render, insert delivery, commit), sender poke, claim, POST
"""
import json, statistics, sys

lat = json.load(open(sys.argv[1]))
db = {}
for line in open(sys.argv[2]):
    parts = line.strip().split(",")
    if len(parts) == 3 and parts[1] and parts[2]:
        db[parts[0]] = (float(parts[1]), float(parts[2]))
cols = {"T → recorded (ingest, commit, rule)": [], "recorded → routed (fault txn, NOTIFY wake)": [],
        "routed → received (router txn, sender, POST)": [], "total": []}
for host, t, rx, _ in lat["trials"]:
    if rx is None or host not in db:
        continue
    opened, routed = db[host]
    cols["T → recorded (ingest, commit, rule)"].append(opened - t)
    cols["recorded → routed (fault txn, NOTIFY wake)"].append(routed - opened)
    cols["routed → received (router txn, sender, POST)"].append(rx - routed)
    cols["total"].append(rx - t)

def pct(xs, p):
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))]

print("| stage (all Vigil faults above, n=%d) | median ms | p90 ms | p99 ms | max ms |" % len(cols["total"]))
print("| --- | ---: | ---: | ---: | ---: |")
for name, xs in cols.items():
    if xs:
        ms = [x * 1000 for x in xs]
        print("| %s | %.1f | %.1f | %.1f | %.1f |" % (name, statistics.median(ms), pct(ms, 90), pct(ms, 99), max(ms)))
