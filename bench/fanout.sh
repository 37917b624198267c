#!/usr/bin/env bash
# Live-stream fanout (issue 13), one command: BENCH_FANOUT_CLIENTS websocket clients (1,000) of
# Vigil's StreamHub (bench/fanout/FanoutServer.java: the hub behind a Vert.x server with
# VigilServer's options, fed at set rates) read every delta as a wall does
# (bench/fanout/FanoutClients.java, Vert.x/Netty websocket clients, separate JVM on the same machine).
# For each phase (rate events/s for seconds, BENCH_FANOUT_PHASES, default 100:20,300:20,1000:30)
# it reports the delivery latency over all clients (publish -> received, p50/p99/p99.9/max),
# the messages delivered against those sent, the server's CPU and RSS, and the clients' CPU.
# Writes bench/results/fanout-last-run.md. Settings: BENCH_FANOUT_CLIENTS, BENCH_FANOUT_PHASES,
# BENCH_FANOUT_JAVA_OPTS (-Xmx512m), BENCH_JAR (a prebuilt server/target/vigil.jar; else it
# builds), BENCH_OUT. Not part of any test suite.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
CLIENTS="${BENCH_FANOUT_CLIENTS:-1000}"
PHASES="${BENCH_FANOUT_PHASES:-100:20,300:20,1000:30}"
JOPTS="${BENCH_FANOUT_JAVA_OPTS:--Xmx512m}"
OUT="${BENCH_OUT:-$BENCH/results/fanout-last-run.md}"
TOTAL=0; IFS=',' read -ra PH <<<"$PHASES"; for p in "${PH[@]}"; do TOTAL=$(( TOTAL + ${p#*:} )); done
bench_begin vigil-bench-fanout $(( TOTAL + 600 )) "(logs in bench/results/fanout-last-run-*.log)"
SERVER_PID=""; CLIENT_PID=""
at_exit_stop CLIENT_PID KILL
at_exit_stop SERVER_PID TERM
at_exit_keep "$WORK/server.log" "$BENCH/results/fanout-last-run-server.log"
at_exit_keep "$WORK/clients.log" "$BENCH/results/fanout-last-run-clients.log"

if [ -n "${BENCH_JAR:-}" ]; then copy_jar "$BENCH_JAR" "$WORK/vigil.jar"
else build_vigil "$ROOT/pom.xml" package 900 1 "$WORK/build.log"; copy_jar "$ROOT/server/target/vigil.jar" "$WORK/vigil.jar"; fi
PORT="$(free_port)"
ulimit -n 65536 2>/dev/null || true

# The server lingers past its last phase so the clients read everything before it goes.
# shellcheck disable=SC2086
java $JOPTS -Dfanout.lingerMs=8000 -cp "$WORK/vigil.jar" "$BENCH/fanout/FanoutServer.java" "$PORT" "$PHASES" "$CLIENTS" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do grep -q READY "$WORK/server.log" && break; sleep 0.5; done
grep -q READY "$WORK/server.log" || { cat "$WORK/server.log" >&2; die "fanout server did not start"; }
say "server up on $PORT; $CLIENTS clients connecting, then phases $PHASES (${TOTAL}s) …"
java -Xmx1g -cp "$WORK/vigil.jar" "$BENCH/fanout/FanoutClients.java" "ws://127.0.0.1:$PORT/api/v1/stream" "$CLIENTS" $(( TOTAL + 6 + 60 )) >"$WORK/clients.log" 2>&1 &
CLIENT_PID=$!

# Per phase: CPU of server and clients, server RSS (max), sampled each second.
for _ in $(seq 1 240); do grep -q "^CLIENTS " "$WORK/server.log" && break; sleep 0.5; done
declare -A S_CPU C_CPU RSS_MAX
for p in "${PH[@]}"; do
  rate="${p%%:*}"; secs="${p#*:}"
  for _ in $(seq 1 200); do grep -q "PHASE rate=$rate " "$WORK/server.log" && break; sleep 0.1; done
  s0="$(cpu_ticks "$SERVER_PID")"; c0="$(cpu_ticks "$CLIENT_PID")"; max=0
  for _ in $(seq 1 "$secs"); do sleep 1; r="$(rss_mib "$SERVER_PID")"; [ "$r" -gt "$max" ] && max="$r"; done
  hz="$(getconf CLK_TCK)"
  S_CPU[$rate]="$(awk -v a="$s0" -v b="$(cpu_ticks "$SERVER_PID")" -v s="$secs" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')"
  C_CPU[$rate]="$(awk -v a="$c0" -v b="$(cpu_ticks "$CLIENT_PID")" -v s="$secs" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')"
  RSS_MAX[$rate]="$max"
  say "phase $rate/s done: server ${S_CPU[$rate]}% CPU, ${max} MiB RSS"
done
# The clients report once the server, after its last phase and a linger, has closed them all.
for _ in $(seq 1 60); do grep -q "^CLIENTS connected" "$WORK/clients.log" && break; sleep 1; done
wait "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=""
grep -q "^CLIENTS connected" "$WORK/clients.log" || { tail -n 20 "$WORK/clients.log" >&2; die "the clients did not report"; }

PROBLEMS=()
CONNECTED="$(sed -n 's/^CLIENTS connected=\([0-9]*\).*/\1/p' "$WORK/clients.log")"
OVERFLOW="$(sed -n 's/^CLIENTS .*overflow=\([0-9]*\).*/\1/p' "$WORK/clients.log")"
[ "$CONNECTED" = "$CLIENTS" ] || PROBLEMS+=("only $CONNECTED of $CLIENTS clients connected")
[ "$OVERFLOW" = 0 ] || PROBLEMS+=("$OVERFLOW clients were dropped as too slow (overflow)")
REPORT="$WORK/report.md"
{
  echo "# Live-stream fanout: $CLIENTS websocket clients"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), \`$(cpu_model)\`, $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bash bench/fanout.sh\`"
  echo "(BENCH_FANOUT_CLIENTS=$CLIENTS BENCH_FANOUT_PHASES=$PHASES BENCH_FANOUT_JAVA_OPTS='$JOPTS'). Server and clients share the machine."
  echo
  echo "Each delta is a realistic fault message (~700 bytes); latency is publish into the hub -> parsed by the client, over every client."
  echo
  echo "| events/s | delivered / expected | p50 ms | p99 ms | p99.9 ms | max ms | server CPU | server RSS (max) | clients CPU |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for p in "${PH[@]}"; do
    rate="${p%%:*}"; secs="${p#*:}"
    line="$(grep "^PHASE rate=$rate " "$WORK/clients.log" || true)"
    echo "| $rate | $(kv " $line" messages) / $(( rate * secs * CLIENTS )) | $(kv " $line" p50_ms) | $(kv " $line" p99_ms) | $(kv " $line" p999_ms) | $(kv " $line" max_ms) | ${S_CPU[$rate]}% | ${RSS_MAX[$rate]} MiB | ${C_CPU[$rate]}% |"
  done
  echo
  echo "Target (issue 13): p99 <= 50 ms at 1,000 clients x 1,000 events/s. Slow clients are coalesced (latest state per fault), so \"delivered\" may be below \"expected\" without anything being lost."
  echo
  problems_section "None: every client connected and none was dropped." "${PROBLEMS[@]}"
} >"$REPORT"
publish_report "$REPORT" "$OUT"
[ ${#PROBLEMS[@]} = 0 ]
