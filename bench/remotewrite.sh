#!/usr/bin/env bash
# remote_write ingest, Vigil vs Debian's Prometheus, one command. Builds the jar, generates the
# remote_write bodies once (bench/remotewrite/RemoteWriteLoad.java: 10,000 series, 2,000 samples a
# request like Prometheus' max_samples_per_send, 4 connections), then posts the same bodies to
#   1. Vigil (throwaway PostgreSQL with fsync on; 204 only when committed; a rule evaluates every sample)
#   2. prometheus --web.enable-remote-write-receiver (its own TSDB)
# and reports samples/s, CPU and RSS of each, and stored == acknowledged for both. Prints a Markdown
# report (also bench/results/remotewrite-last-run.md) and stops everything it started (trap).
# Bounded: a watchdog stops the run at BENCH_BUDGET seconds.
#
# Settings (environment): BENCH_RW_ROUNDS (samples per series, 200 → 2,000,000 samples),
# BENCH_RW_SERIES (10000), BENCH_RW_BATCH (2000), BENCH_RW_CONNS (4), BENCH_RW_MAX_SECONDS (120 per
# target), BENCH_JAR (a prebuilt jar; skips the build), BENCH_BUDGET (590),
# BENCH_VIGIL_JAVA_OPTS (-Xmx512m), BENCH_OUT (bench/results/remotewrite-last-run.md).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
ROUNDS="${BENCH_RW_ROUNDS:-200}"
SERIES="${BENCH_RW_SERIES:-10000}"
BATCH="${BENCH_RW_BATCH:-2000}"
CONNS="${BENCH_RW_CONNS:-4}"
MAX_SECONDS="${BENCH_RW_MAX_SECONDS:-120}"
BUDGET="${BENCH_BUDGET:-590}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx512m}"
OUT="${BENCH_OUT:-$BENCH/results/remotewrite-last-run.md}"
START_TS=$(date +%s)
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
elapsed() { echo $(( $(date +%s) - START_TS )); }
is_root() { [ "$(id -u)" = 0 ]; }
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

[ $(( 2 * MAX_SECONDS + 150 )) -lt "$BUDGET" ] || die "2 x BENCH_RW_MAX_SECONDS + ~150 s of set-up exceeds BENCH_BUDGET=$BUDGET"
for tool in java mvn curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
if ! command -v prometheus >/dev/null; then
  is_root || die "prometheus is required: apt-get install prometheus"
  say "installing prometheus (Debian package)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"

# ---- cleanup: everything this script started, and nothing else -----------------------------
WORK="$(mktemp -d /tmp/vigil-bench-rw.XXXXXX)"
chmod 755 "$WORK"
VIGIL_PID=""; PROM_PID=""; PG_STARTED=0; CHILD=""; WATCHDOG=""
stop_pid() { # stop_pid PID SIGNAL: signal, wait up to 10 s, then SIGKILL
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
  [ -n "$PROM_PID" ] && stop_pid "$PROM_PID" TERM
  stop_pg
  [ -n "$WATCHDOG" ] && stop_pid "$WATCHDOG" TERM
  mkdir -p "$BENCH/results"
  [ -f "$WORK/vigil.log" ] && cp "$WORK/vigil.log" "$BENCH/results/remotewrite-last-run-vigil.log"
  [ -f "$WORK/prometheus.log" ] && cp "$WORK/prometheus.log" "$BENCH/results/remotewrite-last-run-prometheus.log"
  rm -rf "$WORK"
  [ "$rc" = 0 ] || say "stopped with status $rc after $(elapsed)s (logs in bench/results/remotewrite-last-run-*.log)"
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM; sleep "$BUDGET" & sp=$!; wait "$sp"; echo "bench: budget of ${BUDGET}s exceeded, stopping" >&2; kill -TERM $$ ) &
WATCHDOG=$!
run_child() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }

# CPU seconds (user + system) used so far by PIDs (and, for PostgreSQL, by its exited backends: cutime/cstime).
cpu_s() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$(( t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat") )); done
  awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'; }
hwm_mib() { echo $(( $(awk '/VmHWM/ {print $2}' "/proc/$1/status") / 1024 )); }
pg_pids() { echo "$(head -n 1 "$WORK/pg/data/postmaster.pid") $(pgrep -P "$(head -n 1 "$WORK/pg/data/postmaster.pid")" | tr '\n' ' ')"; }
pg_rss_mib() { local t=0 p; for p in $(pg_pids); do [ -r "/proc/$p/status" ] && t=$(( t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status") )); done; echo $(( t / 1024 )); }
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -n 1; }
PROBLEMS=()

# ---- 1. build and generate -------------------------------------------------------------------
JAR="${BENCH_JAR:-$ROOT/server/target/vigil.jar}"
if [ -z "${BENCH_JAR:-}" ]; then
  say "building (mvn -B -q package -DskipTests) …"
  run_child timeout 300 mvn -B -q -f "$ROOT/pom.xml" package -DskipTests >"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log" >&2; die "build failed"; }
fi
[ -f "$JAR" ] || die "$JAR is missing"
cp "$JAR" "$WORK/vigil.jar"
LOAD=(java -Xmx1g -cp "$WORK/vigil.jar" "$BENCH/remotewrite/RemoteWriteLoad.java")
GEN="$(run_child "${LOAD[@]}" generate "$WORK/bodies.bin" "$SERIES" "$BATCH" "$ROUNDS" "$CONNS")"
say "$GEN"
TOTAL="$(kv "$GEN" samples)"

# ---- 2. Vigil on a throwaway PostgreSQL (fsync on) -------------------------------------------
PGPORT="$(free_port)"
mkdir -p "$WORK/pg"; is_root && chown postgres:postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
  -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null || die "PostgreSQL did not start"
PG_STARTED=1
sql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "${2:-vigil}" -v ON_ERROR_STOP=1 -qtAX -c "$1"; }
sql "CREATE DATABASE vigil" postgres
PORT="$(free_port)"
TOKEN="vgl_bench_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
VIGIL_ADMIN_TOKEN="$TOKEN" VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_PORT="$PORT" VIGIL_HOST=127.0.0.1 \
  VIGIL_RULES="$BENCH/remotewrite/rules.yaml" java $VIGIL_JAVA_OPTS -jar "$WORK/vigil.jar" >"$WORK/vigil.log" 2>&1 &
VIGIL_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$VIGIL_PID" 2>/dev/null || { tail -n 30 "$WORK/vigil.log" >&2; die "Vigil exited during start-up"; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 || die "Vigil not ready within 60 s"
say "Vigil on 127.0.0.1:$PORT; posting $TOTAL samples on $CONNS connections (at $(elapsed)s) …"
c0="$(cpu_s "$VIGIL_PID")"; p0="$(cpu_s $(pg_pids))"
VR="$(run_child timeout $(( MAX_SECONDS + 60 )) "${LOAD[@]}" post "$WORK/bodies.bin" "http://127.0.0.1:$PORT/api/v1/write" "$TOKEN" "$MAX_SECONDS")" \
  || PROBLEMS+=("Vigil load generator failed")
c1="$(cpu_s "$VIGIL_PID")"; p1="$(cpu_s $(pg_pids))"
say "$VR"
V_STORED="$(sql 'SELECT count(*) FROM samples')"
V_SERIES="$(sql "SELECT count(*) FROM series WHERE metric = 'rw_bench_value'")"
V_EVALS="$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^vigil_rule_evaluations_total/ {print $NF}' | head -n 1)"
V_HWM="$(hwm_mib "$VIGIL_PID")"; PG_RSS="$(pg_rss_mib)"
V_ACK="$(kv "$VR" acked_samples)"
[ "$V_STORED" = "$V_ACK" ] || PROBLEMS+=("Vigil: acknowledged $V_ACK samples but $V_STORED are stored")
[ "$V_ACK" = "$TOTAL" ] || PROBLEMS+=("Vigil: acknowledged $V_ACK of $TOTAL samples within ${MAX_SECONDS}s")
V_WARN="$(grep -c -E 'level=(WARN|ERROR)' "$WORK/vigil.log" || true)"
[ "$V_WARN" = 0 ] || PROBLEMS+=("Vigil log: $V_WARN WARN/ERROR lines, first: $(grep -m 2 -E 'level=(WARN|ERROR)' "$WORK/vigil.log" | cut -c 1-200 | tr '\n' ' ')")
stop_pid "$VIGIL_PID" TERM; VIGIL_PID=""
stop_pg

# ---- 3. Prometheus' remote-write receiver ----------------------------------------------------
PPORT="$(free_port)"
printf 'global: {scrape_interval: 1m}\n' >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" --web.listen-address="127.0.0.1:$PPORT" \
  --web.enable-remote-write-receiver >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PPORT/-/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$PPORT/-/ready" >/dev/null 2>&1 || { tail -n 20 "$WORK/prometheus.log" >&2; die "Prometheus not ready"; }
PVER="$(prometheus --version 2>&1 | head -n 1)"
say "Prometheus on 127.0.0.1:$PPORT; posting the same bodies (at $(elapsed)s) …"
q0="$(cpu_s "$PROM_PID")"
PR="$(run_child timeout $(( MAX_SECONDS + 60 )) "${LOAD[@]}" post "$WORK/bodies.bin" "http://127.0.0.1:$PPORT/api/v1/write" - "$MAX_SECONDS")" \
  || PROBLEMS+=("Prometheus load generator failed")
q1="$(cpu_s "$PROM_PID")"
say "$PR"
P_HWM="$(hwm_mib "$PROM_PID")"
promq() { curl -fsS --data-urlencode "query=$1" --data-urlencode "time=$(date +%s)" "http://127.0.0.1:$PPORT/api/v1/query" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'; }
P_STORED="$(promq 'sum(count_over_time(rw_bench_value[2h]))')"
P_SERIES="$(promq 'count(count_over_time(rw_bench_value[2h]))')"
P_ACK="$(kv "$PR" acked_samples)"
[ "$P_STORED" = "$P_ACK" ] || PROBLEMS+=("Prometheus: acknowledged $P_ACK samples but its TSDB holds $P_STORED")
stop_pid "$PROM_PID" TERM; PROM_PID=""

# ---- 4. report --------------------------------------------------------------------------------
cores() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.1f s (%.2f cores)", b - a, (s > 0 ? (b - a) / s : 0) }'; }
{
  echo "# remote_write ingest: Vigil vs Prometheus"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(elapsed) s in all, by \`bench/remotewrite.sh\`. Load average at the start: $LOAD0."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
  echo "| Java | $(java -version 2>&1 | head -n 1); Vigil heap \`$VIGIL_JAVA_OPTS\` |"
  echo "| PostgreSQL | $("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), throwaway cluster, fsync=on, synchronous_commit=on |"
  echo "| Prometheus | $PVER, \`--web.enable-remote-write-receiver\`, fresh TSDB |"
  echo
  echo "Load: $GEN. The bodies are generated once and posted unchanged to both, $CONNS connections, each connection's requests one after another (as Prometheus' shards do), 5xx/429 retried with backoff. **The load generator, the server and its storage share the same $(nproc) cores** over loopback."
  echo
  echo "| receiver | acknowledged samples | seconds | samples/s | request p50 ms | p99 ms | retries | stored | stored == acked | CPU (server) | CPU (storage) | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "| Vigil (204 after the PostgreSQL commit; rule on every sample) | $V_ACK | $(kv "$VR" seconds) | **$(kv "$VR" samples_per_s)** | $(kv "$VR" lat_p50_ms) | $(kv "$VR" lat_p99_ms) | $(kv "$VR" retries) | $V_STORED ($V_SERIES series) | $([ "$V_STORED" = "$V_ACK" ] && echo yes || echo NO) | $(cores "$c0" "$c1" "$(kv "$VR" seconds)") | PostgreSQL $(cores "$p0" "$p1" "$(kv "$VR" seconds)") | Vigil $V_HWM MiB + PostgreSQL $PG_RSS MiB (sum of RSS, shared buffers counted per process) |"
  echo "| Prometheus (204 after its TSDB head + WAL write) | $P_ACK | $(kv "$PR" seconds) | **$(kv "$PR" samples_per_s)** | $(kv "$PR" lat_p50_ms) | $(kv "$PR" lat_p99_ms) | $(kv "$PR" retries) | $P_STORED ($P_SERIES series) | $([ "$P_STORED" = "$P_ACK" ] && echo yes || echo NO) | $(cores "$q0" "$q1" "$(kv "$PR" seconds)") | (in-process) | $P_HWM MiB |"
  echo
  echo "Rule evaluations counted by Vigil during the run: ${V_EVALS:-?}. Prometheus writes its WAL without an fsync per request (it syncs segments in the background); Vigil answers only after PostgreSQL has fsynced the commit."
  echo
  echo "## Problems found"
  echo
  if [ ${#PROBLEMS[@]} = 0 ]; then echo "None: every sample acknowledged and stored on both."
  else for p in "${PROBLEMS[@]}"; do echo "- $p"; done; fi
} >"$WORK/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/report.md" "$OUT"
cat "$WORK/report.md"
say "done in $(elapsed)s; report also in ${OUT#$ROOT/}"
