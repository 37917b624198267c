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
# Settings (environment): BENCH_RW_ROUNDS (samples per series, 800 → 8,000,000 samples: about 20 s
# a side, so neither side's start — series creation, Vigil's JIT warm-up — dominates; at 200 the
# 6-second run measured mostly Vigil's warm-up: 332k vs 431k samples/s steady),
# BENCH_RW_SERIES (10000), BENCH_RW_BATCH (2000), BENCH_RW_CONNS (4), BENCH_RW_MAX_SECONDS (120 per
# target), BENCH_JAR (a prebuilt jar; skips the build), BENCH_BUDGET (590),
# BENCH_VIGIL_JAVA_OPTS (-Xmx240m), BENCH_OUT (bench/results/remotewrite-last-run.md).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
ROUNDS="${BENCH_RW_ROUNDS:-800}"
SERIES="${BENCH_RW_SERIES:-10000}"
BATCH="${BENCH_RW_BATCH:-2000}"
CONNS="${BENCH_RW_CONNS:-4}"
MAX_SECONDS="${BENCH_RW_MAX_SECONDS:-120}"
BUDGET="${BENCH_BUDGET:-590}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx240m}"
OUT="${BENCH_OUT:-$BENCH/results/remotewrite-last-run.md}"
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"

[ $(( 2 * MAX_SECONDS + 150 )) -lt "$BUDGET" ] || die "2 x BENCH_RW_MAX_SECONDS + ~150 s of set-up exceeds BENCH_BUDGET=$BUDGET"
for tool in java mvn curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
ensure_debian prometheus prometheus
PGBIN="$(pg_bindir)"

# ---- cleanup: everything this script started, and nothing else -----------------------------
PROM_PID=""
bench_begin vigil-bench-rw "$BUDGET" "(logs in bench/results/remotewrite-last-run-*.log)"
at_exit_stop VIGIL_PID TERM
at_exit_stop PROM_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/remotewrite-last-run-vigil.log"
at_exit_keep "$WORK/prometheus.log" "$BENCH/results/remotewrite-last-run-prometheus.log"

PROBLEMS=()

# ---- 1. build and generate -------------------------------------------------------------------
bench_jar "$ROOT"
LOAD=(java -Xmx1g -cp "$WORK/vigil.jar" "$BENCH/remotewrite/RemoteWriteLoad.java")
GEN="$(run_child "${LOAD[@]}" generate "$WORK/bodies.bin" "$SERIES" "$BATCH" "$ROUNDS" "$CONNS")"
say "$GEN"
TOTAL="$(kv "$GEN" samples)"

# ---- 2. Vigil on a throwaway PostgreSQL (fsync on) -------------------------------------------
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT"
PORT="$(free_port)"
TOKEN="$(new_token)"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_ADMIN_TOKEN="$TOKEN" VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_RULES="$BENCH/remotewrite/rules.yaml"
say "Vigil on 127.0.0.1:$PORT; posting $TOTAL samples on $CONNS connections (at $(elapsed)s) …"
c0="$(cpu_s "$VIGIL_PID")"
# shellcheck disable=SC2046 # a list of pids
p0="$(cpu_s $(pg_pids))"
VR="$(run_child timeout $(( MAX_SECONDS + 60 )) "${LOAD[@]}" post "$WORK/bodies.bin" "http://127.0.0.1:$PORT/api/v1/write" "$TOKEN" "$MAX_SECONDS")" \
  || PROBLEMS+=("Vigil load generator failed")
c1="$(cpu_s "$VIGIL_PID")"
# shellcheck disable=SC2046 # a list of pids
p1="$(cpu_s $(pg_pids))"
say "$VR"
V_STORED="$(sql 'SELECT count(*) FROM samples')"
V_SERIES="$(sql "SELECT count(*) FROM series WHERE metric = 'rw_bench_value'")"
V_EVALS="$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^vigil_rule_evaluations_total/ {print $NF}' | head -n 1)"
V_HWM="$(hwm_mib "$VIGIL_PID")"
# shellcheck disable=SC2046 # a list of pids
PG_RSS="$(rss_mib $(pg_pids))"
V_ACK="$(kv "$VR" acked_samples)"
[ "$V_STORED" = "$V_ACK" ] || PROBLEMS+=("Vigil: acknowledged $V_ACK samples but $V_STORED are stored")
[ "$V_ACK" = "$TOTAL" ] || PROBLEMS+=("Vigil: acknowledged $V_ACK of $TOTAL samples within ${MAX_SECONDS}s")
V_WARN="$(grep -c -E 'level=(WARN|ERROR)' "$WORK/vigil.log" || true)"
[ "$V_WARN" = 0 ] || PROBLEMS+=("Vigil log: $V_WARN WARN/ERROR lines, first: $(grep -m 2 -E 'level=(WARN|ERROR)' "$WORK/vigil.log" | cut -c 1-200 | tr '\n' ' ')")
stop_pid "$VIGIL_PID" TERM; VIGIL_PID=""
pg_stop

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
  echo "| CPU | $(nproc) cores, $(cpu_model) |"
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
  problems_section "None: every sample acknowledged and stored on both." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
say "done in $(elapsed)s; report also in ${OUT#$ROOT/}"
