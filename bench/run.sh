#!/usr/bin/env bash
# Vigil benchmarks, one command: builds the jar, starts a throwaway PostgreSQL (fsync on) and
# Vigil with bench/rules.yaml, all on 127.0.0.1, runs
#   1. LatencyBench (sample sent -> websocket "firing"), idle server
#   2. ingest throughput with wrk over batch sizes x connection counts, checking stored == acknowledged
#   3. LatencyBench again while wrk loads the server
# prints a Markdown report (also written to bench/results/last-run.md) and stops everything it
# started (trap), whatever happens. Bounded: refuses a plan longer than BENCH_BUDGET seconds, and
# a watchdog stops the run at BENCH_BUDGET.
#
# Settings (environment): BENCH_DURATION (s per wrk run, 30), BENCH_BATCHES ("100 1000 5000"),
# BENCH_CONNS ("2 4 8"), BENCH_WRK_THREADS (2), BENCH_LATENCY_N (1000), BENCH_LATENCY_WARMUP (100),
# BENCH_LOADED_LATENCY_N (300; 0 skips step 3), BENCH_SKIP_BUILD (0), BENCH_JAR (a prebuilt jar;
# skips the build), BENCH_BUDGET (590),
# BENCH_VIGIL_JAVA_OPTS (-Xmx512m, as ./vigil run), BENCH_OUT (bench/results/last-run.md).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
DURATION="${BENCH_DURATION:-30}"
BATCHES="${BENCH_BATCHES:-100 1000 5000}"
CONNS="${BENCH_CONNS:-2 4 8}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
LAT_N="${BENCH_LATENCY_N:-1000}"
LAT_WARMUP="${BENCH_LATENCY_WARMUP:-100}"
LOADED_N="${BENCH_LOADED_LATENCY_N:-300}"
BUDGET="${BENCH_BUDGET:-590}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx512m}"
OUT="${BENCH_OUT:-$BENCH/results/last-run.md}"

# ---- plan: refuse what cannot finish in time ---------------------------------------------
n_runs=0; for _ in $BATCHES; do for _ in $CONNS; do n_runs=$((n_runs + 1)); done; done
PLANNED=$(( 60 + 20 + LAT_N / 25 + 5 + n_runs * (DURATION + 6) + (LOADED_N > 0 ? 10 + LOADED_N / 8 : 0) ))
[ "$PLANNED" -lt "$BUDGET" ] || die "plan needs ~${PLANNED}s (> BENCH_BUDGET=${BUDGET}s): lower BENCH_DURATION or the matrix"

for tool in java mvn curl python3 psql; do command -v "$tool" >/dev/null || die "$tool is required"; done
ensure_debian wrk wrk
PGBIN="$(pg_bindir)"

# ---- cleanup: everything this script started, and nothing else -----------------------------
BGLOAD=""
bench_begin vigil-bench "$BUDGET" "(logs in bench/results/last-run-*.log)"
at_exit_stop BGLOAD INT
at_exit_stop VIGIL_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/last-run-vigil.log"
at_exit_keep "$WORK/pg/server.log" "$BENCH/results/last-run-postgres.log"

# ---- 1. build ----------------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && [ -z "${BENCH_JAR:-}" ]; then
  build_vigil "$ROOT/pom.xml" install 240 3 "$WORK/build.log"
fi
copy_jar "${BENCH_JAR:-$ROOT/server/target/vigil.jar}" "$WORK/vigil.jar"
say "build done at $(elapsed)s"

# ---- 2. throwaway PostgreSQL, fsync on -----------------------------------------------------
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT" -c full_page_writes=on -c track_wal_io_timing=on
say "PostgreSQL on 127.0.0.1:$PGPORT (fsync=$(sql 'SHOW fsync'), synchronous_commit=$(sql 'SHOW synchronous_commit'))"

# ---- 3. Vigil ------------------------------------------------------------------------------
PORT="$(free_port)"
TOKEN="$(new_token)"
# exported: LatencyBench and post.lua read it
export VIGIL_ADMIN_TOKEN="$TOKEN"
URL="http://127.0.0.1:$PORT"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_RULES="$BENCH/rules.yaml"
LAYOUT="$(sed -n 's/.*samplesLayout=\([a-z]*\).*/\1/p' "$WORK/vigil.log" | head -n 1)"
say "Vigil on $URL (pid $VIGIL_PID, samples layout: ${LAYOUT:-?}) at $(elapsed)s"

settle() { # wait until no batch is being written (in-flight requests cut off when wrk stopped)
  for _ in $(seq 1 60); do [ "$(metric "$URL" vigil_storage_inflight_batches)" = 0 ] && return 0; sleep 0.25; done
  say "warning: batches still in flight after 15 s"
}
PROBLEMS=()

wal_syncs() { sql "SELECT wal_sync || ' ' || wal_sync_time FROM pg_stat_wal"; }
# avg_sync BEFORE AFTER: WAL syncs (fsyncs of commits) in between, and their mean duration in ms
avg_sync() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[1] - x[1]; printf "%d WAL syncs, mean %.2f ms", n, (n > 0 ? (y[2] - x[2]) / n : 0) }'; }

# ---- 4. latency, idle server -------------------------------------------------------------
say "latency: $LAT_N faults one at a time (+$LAT_WARMUP warm-up) …"
W0="$(wal_syncs)"
lat_rc=0
run_child timeout $(( 60 + LAT_N / 10 )) java -Xmx256m "$BENCH/latency/LatencyBench.java" --url="$URL" \
  --n="$LAT_N" --warmup="$LAT_WARMUP" --resolve-every=100 >"$WORK/latency.out" 2>&1 || lat_rc=$?
cat "$WORK/latency.out" >&2
LAT="$(grep '^RESULT' "$WORK/latency.out" || true)"
[ "$lat_rc" = 0 ] || PROBLEMS+=("LatencyBench (idle) exited with $lat_rc: $(grep -v '^RESULT' "$WORK/latency.out" | tail -n 3 | tr '\n' ' ')")
RSS_AFTER_LAT="$(rss_mib "$VIGIL_PID")"
LAT_SYNC="$(avg_sync "$W0" "$(wal_syncs)")"

# ---- 5. ingest throughput ------------------------------------------------------------------
WRK_URL="$URL/api/v1/ingest"
say "ingest: warm-up (5 s, B=1000, c=4, not reported) …"
run_child timeout 30 wrk -t"$WRK_THREADS" -c4 -d5s --timeout 30s -s "$BENCH/ingest/post.lua" "$WRK_URL" -- 1000 >"$WORK/warmup.out" 2>&1 \
  || PROBLEMS+=("wrk warm-up failed: $(tail -n 3 "$WORK/warmup.out" | tr '\n' ' ')")
settle
ROWS=()
W1="$(wal_syncs)"
for B in $BATCHES; do
  for C in $CONNS; do
    T="$WRK_THREADS"; [ "$C" -lt "$T" ] && T="$C"
    say "ingest: B=$B c=$C t=$T for ${DURATION}s (at $(elapsed)s) …"
    n0="$(sql 'SELECT count(*) FROM samples')"
    m0="$(metric "$URL" vigil_ingest_samples_total)"
    e0="$(metric "$URL" vigil_ingest_storage_errors_total)"
    wrk_rc=0
    run_child timeout $(( DURATION + 60 )) wrk -t"$T" -c"$C" -d"${DURATION}s" --timeout 30s -s "$BENCH/ingest/post.lua" "$WRK_URL" -- "$B" \
      >"$WORK/wrk-$B-$C.out" 2>&1 || wrk_rc=$?
    settle
    n1="$(sql 'SELECT count(*) FROM samples')"
    m1="$(metric "$URL" vigil_ingest_samples_total)"
    e1="$(metric "$URL" vigil_ingest_storage_errors_total)"
    rss="$(rss_mib "$VIGIL_PID")"
    R="$(grep '^WRK_RESULT' "$WORK/wrk-$B-$C.out" || true)"
    if [ -z "$R" ]; then
      PROBLEMS+=("B=$B c=$C: wrk exited $wrk_rc without a result: $(tail -n 3 "$WORK/wrk-$B-$C.out" | tr '\n' ' ')")
      continue
    fi
    ok="$(kv "$R" ok204)"; bad="$(kv "$R" non204)"
    acked=$(( ok * B )); stored=$(( n1 - n0 )); committed=$(( m1 - m0 )); extra=$(( stored - acked ))
    errs="$(( $(kv "$R" err_connect) + $(kv "$R" err_read) + $(kv "$R" err_write) + $(kv "$R" err_timeout) ))"
    check="ok"
    if [ "$stored" != "$committed" ]; then
      check="MISMATCH"; PROBLEMS+=("B=$B c=$C: samples table grew by $stored but the server's committed-samples counter by $committed")
    fi
    if [ "$extra" -lt 0 ] || [ $(( extra % B )) != 0 ] || [ $(( extra / B )) -gt "$C" ]; then
      check="MISMATCH"; PROBLEMS+=("B=$B c=$C: acknowledged $acked samples (${ok} x 204) but $stored were stored (difference $extra is not 0..$C whole batches)")
    fi
    if [ "$bad" != 0 ]; then
      PROBLEMS+=("B=$B c=$C: $bad non-204 answers: $(grep '^WRK_NON204' "$WORK/wrk-$B-$C.out" | cut -c 12- | head -c 400)")
    fi
    [ "$(kv "$R" err_status)" -le "$bad" ] || PROBLEMS+=("B=$B c=$C: wrk saw $(kv "$R" err_status) answers >= 400 but the script only $bad")
    [ "$errs" = 0 ] || PROBLEMS+=("B=$B c=$C: wrk socket errors: $(sed -n 's/.*\(err_connect=.*\)/\1/p' <<<"$R")")
    [ "$(( e1 - e0 ))" = 0 ] || PROBLEMS+=("B=$B c=$C: server counted $(( e1 - e0 )) storage errors (503s)")
    ROWS+=("| $B | $C | $(kv "$R" req_per_s) | **$(kv "$R" samples_per_s)** | $(kv "$R" lat_p50_ms) | $(kv "$R" lat_p99_ms) | $bad | $acked | $stored | $(( extra / B )) | $check | $rss |")
    say "  -> $(kv "$R" samples_per_s) samples/s, ok204=$ok non204=$bad, acked=$acked stored=$stored committed=$committed, RSS ${rss} MiB"
  done
done

TPUT_SYNC="$(avg_sync "$W1" "$(wal_syncs)")"

# ---- 6. latency under ingest load ----------------------------------------------------------
LLAT=""
if [ "$LOADED_N" -gt 0 ]; then
  say "latency under load: $LOADED_N faults while wrk posts B=1000 batches on 2 connections (at $(elapsed)s) …"
  wrk -t1 -c2 -d300s --timeout 30s -s "$BENCH/ingest/post.lua" "$WRK_URL" -- 1000 >"$WORK/wrk-bg.out" 2>&1 &
  BGLOAD=$!
  sleep 2
  lat_rc=0
  run_child timeout $(( 60 + LOADED_N / 2 )) java -Xmx256m "$BENCH/latency/LatencyBench.java" --url="$URL" \
    --n="$LOADED_N" --warmup=20 --resolve-every=100 --customer=bench-loaded >"$WORK/latency-loaded.out" 2>&1 || lat_rc=$?
  stop_pid "$BGLOAD" INT; BGLOAD=""
  cat "$WORK/latency-loaded.out" >&2
  LLAT="$(grep '^RESULT' "$WORK/latency-loaded.out" || true)"
  BG="$(grep '^WRK_RESULT' "$WORK/wrk-bg.out" || true)"
  [ "$lat_rc" = 0 ] || PROBLEMS+=("LatencyBench (under load) exited with $lat_rc: $(grep -v '^RESULT' "$WORK/latency-loaded.out" | tail -n 3 | tr '\n' ' ')")
  [ -z "$BG" ] || [ "$(kv "$BG" non204)" = 0 ] || PROBLEMS+=("background load: $(kv "$BG" non204) non-204 answers: $(grep '^WRK_NON204' "$WORK/wrk-bg.out" | head -c 300)")
fi
settle
RSS_END="$(rss_mib "$VIGIL_PID")"; HWM_END="$(hwm_mib "$VIGIL_PID")"
TOTAL_ROWS="$(sql 'SELECT count(*) FROM samples')"
WARNS="$(grep -c 'level=WARN' "$WORK/vigil.log" || true)"; ERRS="$(grep -c 'level=ERROR' "$WORK/vigil.log" || true)"
[ "$WARNS$ERRS" = 00 ] || PROBLEMS+=("server log: $WARNS WARN and $ERRS ERROR lines, first: $(grep -m 3 -E 'level=(WARN|ERROR)' "$WORK/vigil.log" | cut -c 1-300 | tr '\n' ' ')")

# ---- 7. report -----------------------------------------------------------------------------
lat_row() { # lat_row LABEL RESULTLINE
  [ -n "$2" ] || { echo "| $1 | (no result) | | | | | | |"; return; }
  echo "| $1 | $(kv "$2" count) | $(kv "$2" median_ms) | $(kv "$2" p90_ms) | $(kv "$2" p99_ms) | $(kv "$2" max_ms) | $(kv "$2" ack_median_ms) | $(( $(kv "$2" timeouts) + $(kv "$2" non204) + $(kv "$2" seq_gaps) )) |"
}
{
  echo "# Vigil benchmark results"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(elapsed) s in all, by \`bench/run.sh\`."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) cores, $(cpu_model) |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| kernel | $(uname -sr) |"
  echo "| Java | $(java -version 2>&1 | head -n 1) ($(java -version 2>&1 | sed -n 2p | sed 's/ (build.*//')); server heap \`$VIGIL_JAVA_OPTS\` |"
  echo "| PostgreSQL | $("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), throwaway cluster on $(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo '?'): fsync=on, synchronous_commit=on, shared_buffers=$(sql 'SHOW shared_buffers'), wal_sync_method=$(sql 'SHOW wal_sync_method'); samples layout: ${LAYOUT:-?} |"
  echo "| load generator | $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), LatencyBench (JDK HttpClient) |"
  echo
  echo "**The load generators and the server (Vigil + PostgreSQL) share the same $(nproc) cores**, over loopback; numbers are for this one box, not for a dedicated server."
  echo
  echo "## Fault latency: sample sent → websocket \"firing\""
  echo
  echo "One fault at a time, each on a new series (\`up{customer,system=s<i>,host=h<i>} = 0\`, rule \`up == 0\`, \`for: 0s\`): t0 just before the POST, t1 when the websocket client receives the \`fault\` message with state firing. This covers ingest, the samples commit, rule evaluation, the fault + ticket commit and the websocket push. Faults are resolved in batches of 100 outside the timed section."
  echo
  echo "| condition | faults | median ms | p90 ms | p99 ms | max ms | median ms to 204 | timeouts/errors |"
  echo "|---|---|---|---|---|---|---|---|"
  lat_row "idle server ($LAT_WARMUP warm-up not counted)" "$LAT"
  [ "$LOADED_N" -gt 0 ] && lat_row "under ingest load (wrk B=1000, 2 connections)" "$LLAT"
  echo
  echo "Each fault costs two commits before it reaches the wall (the sample batch, then the fault with its ticket), each waiting for a WAL fsync. PostgreSQL during the idle latency run: $LAT_SYNC."
  echo
  echo "## Ingest throughput (durable: 204 only after the batch is committed, fsync on)"
  echo
  echo "wrk, $WRK_THREADS threads (fewer if fewer connections), ${DURATION} s per row after one 5 s warm-up; a fixed batch of B samples over B distinct series, no \`ts\` (server stamps), every sample also evaluated by a rule. samples/s = 204 answers/s × B. *stored* is the growth of \`SELECT count(*) FROM samples\`; *cut off* counts batches that were committed but whose 204 wrk never read because the run ended (≤ connections is expected). RSS is the server's resident memory after the row."
  echo
  echo "| B (samples/request) | connections | requests/s | samples/s | latency p50 ms | latency p99 ms | non-204 | acknowledged samples | stored | cut off (batches) | stored vs acked | server RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "PostgreSQL during the throughput rows: $TPUT_SYNC (commits of concurrent batches share syncs)."
  echo
  echo "Server RSS: $RSS_AFTER_LAT MiB after the latency run, $RSS_END MiB at the end, peak (VmHWM) $HWM_END MiB. Rows in \`samples\` at the end: $TOTAL_ROWS."
  echo
  problems_section "None: every request answered 204, stored = acknowledged (+ cut-off batches) in every row, no server warnings." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
say "done in $(elapsed)s; report also in ${OUT#$ROOT/}"
