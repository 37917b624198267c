#!/usr/bin/env bash
# Soak (issue 14): an hour of ingest at half the measured peak, with rules evaluated on every
# sample, faults firing and resolving all along, a websocket client and the real wall (headless
# Chromium) connected. Passes when, over the hour:
#   - every request was answered 2xx and stored = acknowledged (line protocol, 204 after commit);
#   - the server's RSS is flat: at the end at most 10 % above its value at minute 5;
#   - its open sockets do not grow: at the end at most 4 more than at minute 1;
#   - ingest p99 is stable: the median minute-p99 of the last 10 minutes at most 2x that of
#     minutes 2-11, plus 10 ms;
#   - no event loop was reported blocked, the stream never closed, no soak fault is left firing.
# Exits non-zero otherwise. Writes bench/results/soak-last-run.md.
#
#   1. Vigil (durable in PostgreSQL, fsync on, bench/soak/rules.yaml, default heap -Xmx240m)
#   2. peak: wrk + bench/lineprotocol/write.lua, as bench/lineprotocol.sh (closed loop)
#   3. the soak: bench/soak/SoakLoad.java at BENCH_SOAK_RATE (default: half that peak), open loop,
#      5,000-line batches over 10,000 series, 20 flapping faults every 30 s, one stream client;
#      Chromium on /?kiosk=1 for the whole run
#
# Settings (environment): BENCH_SOAK_SECONDS (3600), BENCH_SOAK_RATE (lines/s; default half the
# peak), BENCH_PEAK_SECONDS (20), BENCH_JAR (prebuilt jar; else mvn package -DskipTests),
# BENCH_VIGIL_JAVA_OPTS (-Xmx240m), BENCH_SOAK_BROWSER (1; 0: no Chromium), BENCH_OUT
# (bench/results/soak-last-run.md). Not part of any test suite (the campaign takes an hour).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SECONDS_SOAK="${BENCH_SOAK_SECONDS:-3600}"
PEAK_SECONDS="${BENCH_PEAK_SECONDS:-20}"
LINES=5000
SERIES=10000
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx240m}"
BROWSER="${BENCH_SOAK_BROWSER:-1}"
OUT="${BENCH_OUT:-$BENCH/results/soak-last-run.md}"
for tool in java curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
ensure_debian wrk wrk
[ "$BROWSER" = 0 ] || ensure_debian chromium chromium
PGBIN="$(pg_bindir)"

CHROME_PID=""
bench_begin vigil-soak $(( SECONDS_SOAK + PEAK_SECONDS + 900 ))
at_exit_stop CHROME_PID TERM
at_exit_stop VIGIL_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/soak-last-run-vigil.log"
at_exit_keep "$WORK/soak.out" "$BENCH/results/soak-last-run.log"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

bench_jar "$ROOT"
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT"
PORT="$(free_port)"
TOKEN="$(new_token)"
URL="http://127.0.0.1:$PORT"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_ADMIN_TOKEN="$TOKEN" VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" \
  VIGIL_RULES="$BENCH/soak/rules.yaml" VIGIL_MAX_NEW_SERIES_PER_MINUTE=1000000
# bench_f1 values stored: chunks by their count, plus the log rows not yet flushed (one statement,
# one snapshot: a flush moves rows atomically). Unnesting an hour's ~1e9 values would take minutes.
stored() {
  sql "WITH f AS (SELECT id FROM series WHERE metric = 'bench_f1')
       SELECT (SELECT coalesce(sum(c.n), 0) FROM sample_chunks c JOIN f ON f.id = c.series_id)
            + (SELECT count(*) FROM sample_log l CROSS JOIN LATERAL unnest(l.series_ids) AS u(sid) JOIN f ON f.id = u.sid)"
}
PROBLEMS=()

# ---- the peak, closed loop -----------------------------------------------------------------
say "peak: wrk ${PEAK_SECONDS}s, $LINES-line batches, $SERIES series, 4 connections …"
run_child timeout $(( PEAK_SECONDS + 60 )) wrk -t2 -c4 -d"${PEAK_SECONDS}s" --timeout 60s -s "$BENCH/lineprotocol/write.lua" \
  "$URL/write?db=bench" -- "$LINES" "$SERIES" "$TOKEN" >"$WORK/peak.out" 2>&1 || true
R="$(grep '^LP_RESULT' "$WORK/peak.out" || true)"
[ -n "$R" ] || die "wrk gave no result: $(tail -n 3 "$WORK/peak.out")"
PEAK="$(kv "$R" lines_per_s)"
RATE="${BENCH_SOAK_RATE:-$(( PEAK / 2 ))}"
say "  -> peak $PEAK lines/s; the soak runs at $RATE lines/s for ${SECONDS_SOAK}s"
sleep 5
S0="$(stored)"

# ---- the wall, in a real browser -----------------------------------------------------------
if [ "$BROWSER" != 0 ]; then
  chromium --headless=new --no-sandbox --disable-gpu --mute-audio --user-data-dir="$WORK/chrome" \
    --remote-debugging-port="$(free_port)" --window-size=1920,1080 "$URL/?kiosk=1&token=$TOKEN" >"$WORK/chrome.log" 2>&1 &
  CHROME_PID=$!
  for _ in $(seq 1 60); do [ "$(metric "$URL" vigil_stream_clients)" -ge 1 ] && break; sleep 0.5; done
  [ "$(metric "$URL" vigil_stream_clients)" -ge 1 ] || PROBLEMS+=("the wall in Chromium did not connect its stream within 30 s")
fi
CLIENTS_START="$(metric "$URL" vigil_stream_clients)"

# ---- the soak ------------------------------------------------------------------------------
say "soak: ${SECONDS_SOAK}s at $RATE lines/s (a SOAK_MINUTE line a minute in $WORK/soak.out) …"
soak_rc=0
run_child java -Xmx256m "$BENCH/soak/SoakLoad.java" --url="$URL" --token="$TOKEN" --rate="$RATE" --lines="$LINES" \
  --series="$SERIES" --seconds="$SECONDS_SOAK" --pid="$VIGIL_PID" >"$WORK/soak.out" 2>&1 || soak_rc=$?
CLIENTS_END="$(metric "$URL" vigil_stream_clients)"
sleep 3
S1="$(stored)"
RES="$(grep '^SOAK_RESULT' "$WORK/soak.out" || true)"
[ -n "$RES" ] || die "SoakLoad gave no result (exit $soak_rc): $(tail -n 5 "$WORK/soak.out")"
[ "$soak_rc" = 0 ] || PROBLEMS+=("SoakLoad exited $soak_rc: $(kv "$RES" non2xx) non-2xx, $(kv "$RES" errors) errors, statuses $(kv "$RES" statuses), stream closed: $(kv "$RES" ws_closed), first: $(kv "$RES" first_bad)")
ACKED="$(kv "$RES" acked_lines)"
STORED=$(( S1 - S0 ))
[ "$STORED" = "$ACKED" ] || PROBLEMS+=("acknowledged $ACKED lines but $STORED were stored")
BLOCKED="$(grep -c 'has been blocked for' "$WORK/vigil.log" || true)"
[ "$BLOCKED" = 0 ] || PROBLEMS+=("$BLOCKED blocked-thread warnings in the server log")
sleep 5 # the last resolve cycle
FIRING="$(sql "SELECT count(*) FROM faults WHERE rule = 'SoakFlapHigh' AND state = 'firing'" 2>/dev/null || echo '?')"
FAULT_ROWS="$(sql "SELECT count(*) FROM faults WHERE rule = 'SoakFlapHigh'" 2>/dev/null || echo '?')"
TICKETS="$(sql "SELECT count(*) FROM tickets" 2>/dev/null || echo '?')"
[ "$FIRING" = 0 ] || PROBLEMS+=("$FIRING soak faults still firing after the last resolve")
# measured after SoakLoad closed its own stream: the wall's must still be there
[ "$CLIENTS_END" = "$CLIENTS_START" ] || PROBLEMS+=("stream clients before the soak: $CLIENTS_START, after it: $CLIENTS_END (the wall's stream dropped?)")
HWM="$(hwm_mib "$VIGIL_PID")"

# ---- verdicts from the minute lines --------------------------------------------------------
grep '^SOAK_MINUTE' "$WORK/soak.out" >"$WORK/minutes" || true
VERDICT="$(python3 - "$WORK/minutes" <<'EOF'
import statistics, sys
rows = []
for line in open(sys.argv[1]):
    kv = dict(p.split("=", 1) for p in line.split()[1:])
    rows.append({k: float(v) for k, v in kv.items()})
by = {int(r["m"]): r for r in rows}
last = max(by)
def med(ms, key):
    vals = [by[m][key] for m in ms if m in by and by[m]["requests"] > 0]
    return statistics.median(vals) if vals else 0.0
early = med(range(2, 12), "p99_ms")
late = med(range(last - 9, last + 1), "p99_ms")
rss1, rss5, rssN = by.get(1, by[0])["rss_mib"], by.get(5, by[last])["rss_mib"], by[last]["rss_mib"]
sock1, sockN = by.get(1, by[0])["sockets"], by[last]["sockets"]
problems = []
if rssN > rss5 * 1.10: problems.append(f"RSS grew from {rss5:.0f} MiB at minute 5 to {rssN:.0f} MiB at the end (> 10 %)")
if sockN > sock1 + 4: problems.append(f"open sockets grew from {sock1:.0f} at minute 1 to {sockN:.0f} at the end")
if late > 2 * early + 10: problems.append(f"ingest p99 rose from {early:.1f} ms (minutes 2-11) to {late:.1f} ms (last 10 minutes)")
print("|".join([f"{rss1:.0f}", f"{rss5:.0f}", f"{rssN:.0f}", f"{max(r['rss_mib'] for r in rows):.0f}",
                f"{sock1:.0f}", f"{sockN:.0f}", f"{early:.1f}", f"{late:.1f}", f"{max(r['p99_ms'] for r in rows if r['requests'] > 0):.1f}",
                ";".join(problems)]))
EOF
)"
IFS='|' read -r RSS1 RSS5 RSSN RSSMAX SOCK1 SOCKN P99E P99L P99MAX VPROBLEMS <<<"$VERDICT"
if [ -n "$VPROBLEMS" ]; then IFS=';' read -ra more <<<"$VPROBLEMS"; PROBLEMS+=("${more[@]}"); fi

# ---- report --------------------------------------------------------------------------------
{
  echo "# Soak: $(( SECONDS_SOAK / 60 )) minutes at half the ingest peak"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/soak.sh\`, $(elapsed) s. $(nproc) cores ($(cpu_model)), load average before: $LOAD_BEFORE. **The load generator, the browser, Vigil and PostgreSQL share these cores.**"
  echo
  echo "Vigil heap \`$VIGIL_JAVA_OPTS\`, PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') with fsync on; rules \`bench/soak/rules.yaml\` (every sample evaluated)."
  echo "Peak, closed loop (wrk, 4 connections, ${PEAK_SECONDS} s): **$PEAK lines/s**. Soak, open loop (\`bench/soak/SoakLoad.java\`; latency counts from when a batch was due): **$RATE lines/s** ($(( RATE * 2 )) values/s) as $LINES-line batches over $SERIES series, 20 faults firing and resolving every 30 s, one websocket client$([ "$BROWSER" = 0 ] || echo " and the wall (\`/?kiosk=1\`) in headless Chromium")."
  echo
  echo "| | start | end |"
  echo "|---|---:|---:|"
  echo "| Vigil RSS (MiB) | $RSS1 (minute 1), $RSS5 (minute 5) | **$RSSN** (peak $HWM; largest minute $RSSMAX) |"
  echo "| Vigil open sockets | $SOCK1 | **$SOCKN** |"
  echo "| stream clients besides SoakLoad's (the wall) | $CLIENTS_START | $CLIENTS_END |"
  echo "| ingest p99, median over 10 minutes (ms) | $P99E (minutes 2-11) | **$P99L** (last 10; worst minute $P99MAX) |"
  echo
  echo "Requests: $(kv "$RES" requests), 2xx $(kv "$RES" ok), other $(kv "$RES" non2xx), errors $(kv "$RES" errors). Lines acknowledged $ACKED, stored $STORED. Stream messages received: $(kv "$RES" ws_messages); closed early: $(kv "$RES" ws_closed). Flap cycles: $(kv "$RES" flaps); soak fault rows $FAULT_ROWS, still firing $FIRING; tickets $TICKETS. Blocked-thread warnings: $BLOCKED."
  echo
  echo "Every fifth minute:"
  echo
  echo "| minute | requests | p50 ms | p99 ms | max ms | RSS MiB | fds | sockets | stream messages |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk '{ for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
         row = sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |", v["m"], v["requests"], v["p50_ms"], v["p99_ms"], v["max_ms"], v["rss_mib"], v["fds"], v["sockets"], v["ws_messages"])
         if (v["m"] % 5 == 0 || v["m"] == 1) { print row; row = "" } }
       END { if (row != "") print row }' "$WORK/minutes"
  echo
  problems_section "None: every check passed." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
[ ${#PROBLEMS[@]} = 0 ]
