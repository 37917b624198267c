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
# BENCH_JAR (prebuilt jar; else mvn package -DskipTests), BENCH_VIGIL_JAVA_OPTS (-Xmx512m),
# BENCH_BUDGET (400), BENCH_OUT (bench/results/lineprotocol.md), BENCH_ONLY (vigil|influxdb|both).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
DURATION="${BENCH_DURATION:-30}"
WARMUP="${BENCH_WARMUP:-5}"
LINES="${BENCH_LINES:-5000}"
SERIES="${BENCH_SERIES:-10000}"
CONNS="${BENCH_CONNS:-4}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
BUDGET="${BENCH_BUDGET:-400}"
ONLY="${BENCH_ONLY:-both}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx512m}"
OUT="${BENCH_OUT:-$BENCH/results/lineprotocol.md}"
START_TS=$(date +%s)

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
elapsed() { echo $(( $(date +%s) - START_TS )); }
is_root() { [ "$(id -u)" = 0 ]; }
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

PLANNED=$(( 90 + 2 * (WARMUP + DURATION + 30) ))
[ "$PLANNED" -lt "$BUDGET" ] || die "plan needs ~${PLANNED}s (> BENCH_BUDGET=${BUDGET}s)"
for tool in java curl python3 wrk; do command -v "$tool" >/dev/null || die "$tool is required (wrk: apt-get install wrk)"; done
if [ "$ONLY" != vigil ] && ! command -v influxd >/dev/null; then
  is_root || die "influxd is required: apt-get install influxdb"
  say "installing influxdb (Debian package)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq influxdb >/dev/null
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"

WORK="$(mktemp -d /tmp/vigil-lpbench.XXXXXX)"
chmod 755 "$WORK"
VIGIL_PID=""; INFLUX_PID=""; PG_STARTED=0; CHILD=""; WATCHDOG=""
stop_pid() {
  local pid="$1" sig="${2:-TERM}"
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_pg() {
  [ "$PG_STARTED" = 1 ] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w -t 20 stop >/dev/null 2>&1 \
    || as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  PG_STARTED=0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$CHILD" ] && stop_pid "$CHILD" TERM
  [ -n "$VIGIL_PID" ] && stop_pid "$VIGIL_PID" TERM
  [ -n "$INFLUX_PID" ] && stop_pid "$INFLUX_PID" TERM
  stop_pg
  [ -n "$WATCHDOG" ] && stop_pid "$WATCHDOG" TERM
  mkdir -p "$BENCH/results"
  [ -f "$WORK/vigil.log" ] && cp "$WORK/vigil.log" "$BENCH/results/lineprotocol-vigil.log"
  [ -f "$WORK/influxd.log" ] && cp "$WORK/influxd.log" "$BENCH/results/lineprotocol-influxd.log"
  rm -rf "$WORK"
  [ "$rc" = 0 ] || say "stopped with status $rc after $(elapsed)s"
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM; sleep "$BUDGET" & sp=$!; wait "$sp"; echo "bench: budget of ${BUDGET}s exceeded, stopping" >&2; kill -TERM $$ ) &
WATCHDOG=$!
run_child() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }

# CPU seconds (utime + stime, incl. waited-for children) of a set of pids, from /proc/<pid>/stat.
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat") )); done; echo "$t"; }
TCK="$(getconf CLK_TCK)"
# Memory of a set of pids: PSS (shared pages split between sharers, so PostgreSQL's shared buffers count once).
rss_mib() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/smaps_rollup" ] && t=$(( t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup") )); done; echo $(( t / 1024 )); }
hwm_mib() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -n 1; }
PROBLEMS=(); ROWS=()

# measure NAME URL PIDS_FN STORED_FN: warm-up, then the measured run; appends a report row
measure() {
  local name="$1" url="$2" pids_fn="$3" stored_fn="$4"
  say "$name: warm-up ${WARMUP}s …"
  run_child timeout $(( WARMUP + 60 )) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 60s -s "$BENCH/lineprotocol/write.lua" "$url" -- "$LINES" "$SERIES" "${TOKEN:-}" >"$WORK/$name-warm.out" 2>&1 || true
  sleep 2
  local s0 c0 c1 rc=0 s1
  s0="$($stored_fn)"
  # shellcheck disable=SC2046
  c0="$(cpu_ticks $($pids_fn))"; local m0; m0="$(cpu_ticks $($pids_fn | cut -d' ' -f1))"
  say "$name: ${DURATION}s, $LINES-line batches, $SERIES series, $CONNS connections (at $(elapsed)s) …"
  run_child timeout $(( DURATION + 90 )) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 60s -s "$BENCH/lineprotocol/write.lua" "$url" -- "$LINES" "$SERIES" "${TOKEN:-}" >"$WORK/$name.out" 2>&1 || rc=$?
  # shellcheck disable=SC2046
  c1="$(cpu_ticks $($pids_fn))"; local m1; m1="$(cpu_ticks $($pids_fn | cut -d' ' -f1))"
  # shellcheck disable=SC2046
  local rss; rss="$(rss_mib $($pids_fn | cut -d' ' -f1)) + $(rss_mib $($pids_fn | cut -d' ' -f2-))"
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
  JAR="${BENCH_JAR:-$ROOT/server/target/vigil.jar}"
  if [ -z "${BENCH_JAR:-}" ]; then
    say "building (mvn -B -q package -DskipTests) …"
    run_child timeout 300 mvn -B -q -f "$ROOT/pom.xml" package -DskipTests >"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log" >&2; die "build failed"; }
  fi
  [ -f "$JAR" ] || die "$JAR is missing"
  cp "$JAR" "$WORK/vigil.jar"
  PGPORT="$(free_port)"
  mkdir -p "$WORK/pg"; is_root && chown postgres:postgres "$WORK/pg"
  as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null || die "PostgreSQL did not start"
  PG_STARTED=1
  sql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "${2:-vigil}" -v ON_ERROR_STOP=1 -qtAX -c "$1"; }
  sql "CREATE DATABASE vigil" postgres
  PORT="$(free_port)"
  TOKEN="vgl_bench_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  VIGIL_ADMIN_TOKEN="$TOKEN" VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_PORT="$PORT" VIGIL_HOST=127.0.0.1 \
    VIGIL_RULES="$BENCH/lineprotocol/rules.yaml" VIGIL_MAX_NEW_SERIES_PER_MINUTE=1000000 \
    java $VIGIL_JAVA_OPTS -jar "$WORK/vigil.jar" >"$WORK/vigil.log" 2>&1 &
  VIGIL_PID=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; kill -0 "$VIGIL_PID" 2>/dev/null || die "Vigil exited"; sleep 0.5; done
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || die "Vigil not ready"
  PGMASTER="$(head -n 1 "$WORK/pg/data/postmaster.pid")"
  vigil_pids() { echo "$VIGIL_PID $PGMASTER $(pgrep -P "$PGMASTER" | tr '\n' ' ')"; }
  vigil_stored() { sql "SELECT count(*) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'bench_f1'"; }
  measure vigil "http://127.0.0.1:$PORT/write?db=bench" vigil_pids vigil_stored
  VIGIL_HWM="$(hwm_mib "$VIGIL_PID")"
  VIGIL_JVM_CPU_NOTE="$(curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^vigil_rule_evaluations_total' | awk '{print $2}')"
  stop_pid "$VIGIL_PID" TERM; VIGIL_PID=""
  stop_pg
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
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/lineprotocol.sh\`, $(elapsed) s. $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), load average before: $LOAD_BEFORE. **wrk, both servers and PostgreSQL share these cores.**"
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
  echo "## Problems found"
  echo
  if [ ${#PROBLEMS[@]} = 0 ]; then echo "None: every request answered 204 and stored = acknowledged for both servers."
  else for p in "${PROBLEMS[@]}"; do echo "- $p"; done; fi
} >"$WORK/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/report.md" "$OUT"
cat "$WORK/report.md"
