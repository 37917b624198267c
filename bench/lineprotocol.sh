#!/usr/bin/env bash
# Line protocol ingest, Vigil vs Debian's InfluxDB 1.6, same load, same machine, one script.
#   1. Vigil (durable in PostgreSQL, fsync on; 204 only after commit; every sample evaluated by
#      bench/lineprotocol/rules.yaml) on POST /write
#   2. influxd 1.6 (wal-fsync-delay 0s: fsync before the 204) on POST /write
# Load for both: wrk + bench/lineprotocol/write.lua, 10,000 series, 2 fields a line, 5,000-line
# batches, 4 connections. Reports lines/s, field values/s, CPU (from /proc/<pid>/stat; Vigil's
# row also counts its PostgreSQL), RSS, and stored == acknowledged for both. Writes a Markdown
# report to bench/results/lineprotocol.md and stops everything it started (trap). Bounded by
# BENCH_BUDGET (a watchdog).
#
# Settings (environment): BENCH_DURATION (30 s per measured run), BENCH_WARMUP (5 s),
# BENCH_LINES (5000), BENCH_SERIES (10000), BENCH_CONNS (4), BENCH_WRK_THREADS (2),
# BENCH_JAR (prebuilt jar; else mvn package -DskipTests), BENCH_VIGIL_JAVA_OPTS (-Xmx240m),
# BENCH_BUDGET (400), BENCH_OUT (bench/results/lineprotocol.md), BENCH_ONLY (vigil|influxdb|both).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
DURATION="${BENCH_DURATION:-30}"
WARMUP="${BENCH_WARMUP:-5}"
LINES="${BENCH_LINES:-5000}"
SERIES="${BENCH_SERIES:-10000}"
CONNS="${BENCH_CONNS:-4}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
BUDGET="${BENCH_BUDGET:-400}"
ONLY="${BENCH_ONLY:-both}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx240m}"
OUT="${BENCH_OUT:-$BENCH/results/lineprotocol.md}"

PLANNED=$(( 90 + 2 * (WARMUP + DURATION + 30) ))
[ "$PLANNED" -lt "$BUDGET" ] || die "plan needs ~${PLANNED}s (> BENCH_BUDGET=${BUDGET}s)"
for tool in java curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
ensure_debian wrk wrk
[ "$ONLY" = vigil ] || ensure_debian influxd influxdb
PGBIN="$(pg_bindir)"

INFLUX_PID=""
bench_begin vigil-lpbench "$BUDGET"
at_exit_stop VIGIL_PID TERM
at_exit_stop INFLUX_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/lineprotocol-vigil.log"
at_exit_keep "$WORK/influxd.log" "$BENCH/results/lineprotocol-influxd.log"

TCK="$(getconf CLK_TCK)"
# pss_mib PID...: memory of the PIDs together, PSS (shared pages split between sharers, so PostgreSQL's shared buffers count once), in MiB
pss_mib() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/smaps_rollup" ] && t=$(( t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup") )); done; echo $(( t / 1024 )); }
PROBLEMS=(); ROWS=()

# measure NAME URL PIDS_FN STORED_FN: warm-up, then the measured run; appends a report row
# shellcheck disable=SC2046 # pid lists are split on purpose
measure() {
  local name="$1" url="$2" pids_fn="$3" stored_fn="$4"
  say "$name: warm-up ${WARMUP}s …"
  run_child timeout $(( WARMUP + 60 )) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 60s -s "$BENCH/lineprotocol/write.lua" "$url" -- "$LINES" "$SERIES" "${TOKEN:-}" >"$WORK/$name-warm.out" 2>&1 || true
  sleep 2
  local s0 c0 c1 rc=0 s1
  s0="$($stored_fn)"
  c0="$(cpu_ticks $($pids_fn))"; local m0; m0="$(cpu_ticks $($pids_fn | cut -d' ' -f1))"
  say "$name: ${DURATION}s, $LINES-line batches, $SERIES series, $CONNS connections (at $(elapsed)s) …"
  run_child timeout $(( DURATION + 90 )) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 60s -s "$BENCH/lineprotocol/write.lua" "$url" -- "$LINES" "$SERIES" "${TOKEN:-}" >"$WORK/$name.out" 2>&1 || rc=$?
  c1="$(cpu_ticks $($pids_fn))"; local m1; m1="$(cpu_ticks $($pids_fn | cut -d' ' -f1))"
  local rss; rss="$(pss_mib $($pids_fn | cut -d' ' -f1)) + $(pss_mib $($pids_fn | cut -d' ' -f2-))"
  rss="${rss% + 0}"
  sleep 3 # requests cut off when wrk stopped finish meanwhile
  s1="$($stored_fn)"
  local R; R="$(grep '^LP_RESULT' "$WORK/$name.out" || true)"
  [ -n "$R" ] || { PROBLEMS+=("$name: wrk exited $rc without a result: $(tail -n 3 "$WORK/$name.out" | tr '\n' ' ')"); return; }
  local ok bad secs acked stored extra cpu check
  ok="$(kv "$R" ok204)"; bad="$(kv "$R" non204)"; secs="$(awk -v d="$(kv "$R" duration_us)" 'BEGIN {printf "%.3f", d / 1e6}')"
  acked=$(( ok * LINES )); stored=$(( s1 - s0 )); extra=$(( stored - acked ))
  cpu="$(awk -v a="$c0" -v b="$c1" -v t="$TCK" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / t / s}')"
  # the server process alone, and (Vigil) its PostgreSQL
  cpu="$cpu ($(awk -v a="$m0" -v b="$m1" -v c="$c0" -v d="$c1" -v t="$TCK" -v s="$secs" 'BEGIN {m = (b - a) / t / s; o = ((d - c) - (b - a)) / t / s; if (o > 0.005) printf "%.2f + %.2f", m, o; else printf "%.2f", m}'))"
  check=ok
  if [ "$extra" -lt 0 ] || [ $(( extra % LINES )) != 0 ] || [ $(( extra / LINES )) -gt "$CONNS" ]; then
    check=MISMATCH; PROBLEMS+=("$name: acknowledged $acked lines ($ok x 204) but $stored were stored (not 0..$CONNS whole batches more)")
  fi
  [ "$bad" = 0 ] || PROBLEMS+=("$name: $bad non-204 answers: $(grep '^LP_NON204' "$WORK/$name.out" | cut -c 11- | head -c 300)")
  ROWS+=("| $name | **$(kv "$R" lines_per_s)** | $(kv "$R" values_per_s) | $(kv "$R" req_per_s) | $(kv "$R" lat_p50_ms) | $(kv "$R" lat_p99_ms) | $cpu | $rss | $bad | $acked | $stored | $check |")
  say "  -> $(kv "$R" lines_per_s) lines/s, $(kv "$R" values_per_s) values/s, CPU $cpu cores, RSS $rss MiB, acked=$acked stored=$stored"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- Vigil ---------------------------------------------------------------------------------
if [ "$ONLY" != influxdb ]; then
  bench_jar "$ROOT"
  PGPORT="$(free_port)"
  pg_start "$PGBIN" "$WORK/pg" "$PGPORT"
  PORT="$(free_port)"
  TOKEN="$(new_token)"
  start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
    VIGIL_ADMIN_TOKEN="$TOKEN" VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" \
    VIGIL_RULES="$BENCH/lineprotocol/rules.yaml" VIGIL_MAX_NEW_SERIES_PER_MINUTE=1000000
  vigil_pids() { echo "$VIGIL_PID $(pg_pids)"; }
  vigil_stored() { sql "SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'bench_f1'"; }
  measure vigil "http://127.0.0.1:$PORT/write?db=bench" vigil_pids vigil_stored
  VIGIL_HWM="$(hwm_mib "$VIGIL_PID")"
  VIGIL_JVM_CPU_NOTE="$(curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^vigil_rule_evaluations_total' | awk '{print $2}')"
  stop_pid "$VIGIL_PID" TERM; VIGIL_PID=""
  pg_stop
  TOKEN=""
fi

# ---- InfluxDB 1.6 --------------------------------------------------------------------------
if [ "$ONLY" != vigil ]; then
  IPORT="$(free_port)"; IBIND="$(free_port)"
  mkdir -p "$WORK/influx"
  cat >"$WORK/influx/influxdb.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:$IBIND"
[meta]
  dir = "$WORK/influx/meta"
[data]
  dir = "$WORK/influx/data"
  wal-dir = "$WORK/influx/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
  index-version = "inmem"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$IPORT"
  log-enabled = false
  max-body-size = 25000000
[logging]
  level = "warn"
EOF
  influxd -config "$WORK/influx/influxdb.conf" >"$WORK/influxd.log" 2>&1 &
  INFLUX_PID=$!
  for _ in $(seq 1 60); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IPORT/ping")" = 204 ] && break; sleep 0.5; done
  curl -fsS -XPOST "http://127.0.0.1:$IPORT/query" --data-urlencode "q=CREATE DATABASE bench" >/dev/null || die "influxd not answering"
  influx_pids() { echo "$INFLUX_PID "; }
  influx_stored() {
    curl -fsS -G "http://127.0.0.1:$IPORT/query" --data-urlencode "db=bench" --data-urlencode "q=SELECT count(f1) FROM bench" \
      | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["series"][0]["values"][0][1] if "series" in r else 0)'
  }
  measure influxdb "http://127.0.0.1:$IPORT/write?db=bench" influx_pids influx_stored
  INFLUX_HWM="$(hwm_mib "$INFLUX_PID")"
  stop_pid "$INFLUX_PID" TERM; INFLUX_PID=""
fi

# ---- report --------------------------------------------------------------------------------
{
  echo "# Line protocol ingest: Vigil vs InfluxDB 1.6"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/lineprotocol.sh\`, $(elapsed) s. $(nproc) cores ($(cpu_model)), load average before: $LOAD_BEFORE. **wrk, both servers and PostgreSQL share these cores.**"
  echo
  echo "Same load for both: \`POST /write\`, $LINES-line batches over $SERIES series (\`bench,customer=load,host=h<i> f1=…,f2=…\`, 2 fields a line, no timestamp: the server stamps), $CONNS connections, wrk $WRK_THREADS threads, ${DURATION} s after a ${WARMUP} s warm-up."
  echo "Vigil: durable in PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (fsync=on, synchronous_commit=on), 204 only after commit, every sample evaluated by a rule (\`bench/lineprotocol/rules.yaml\`), heap \`$VIGIL_JAVA_OPTS\`. InfluxDB: Debian's $(influxd version 2>/dev/null | awk '{print $2}'), tsm1 + inmem index, \`wal-fsync-delay = 0s\` (WAL fsynced before the 204)."
  echo
  echo "| server | lines/s | field values/s | requests/s | p50 ms | p99 ms | CPU (cores) | memory MiB (PSS) | non-204 | acknowledged lines | stored lines | stored vs acked |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "CPU = (utime + stime) over the measured run / its duration, from \`/proc/<pid>/stat\`; Vigil's row is the JVM plus its PostgreSQL (postmaster and backends); memory is PSS at the end of the run (Vigil: JVM + PostgreSQL). Peak RSS (VmHWM): Vigil JVM ${VIGIL_HWM:-?} MiB, influxd ${INFLUX_HWM:-?} MiB. Stored = growth of \`count(*)\` of bench_f1 samples in PostgreSQL / \`SELECT count(f1)\` in InfluxDB; \`stored vs acked\` allows up to $CONNS whole batches cut off by the end of the run. Vigil's rule evaluations over the run: ${VIGIL_JVM_CPU_NOTE:-?}."
  echo
  problems_section "None: every request answered 204 and stored = acknowledged for both servers." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
