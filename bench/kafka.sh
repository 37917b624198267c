#!/usr/bin/env bash
# Kafka ingest benchmark: samples/s from a topic into PostgreSQL with commit-after-durable.
# Builds the jar, starts a throwaway PostgreSQL (fsync on) and a single-node KRaft Kafka broker
# (kafka_2.13 from Maven Central, its own JVM), produces BENCH_KAFKA_SAMPLES samples in records of
# BENCH_KAFKA_BATCH samples (JSON as /api/v1/ingest, BENCH_KAFKA_SERIES series) to a fresh topic,
# then starts Vigil consuming it and times from Vigil's /readyz (the consumer starts then) until the
# group's committed offset reaches the topic's end. Checks stored == produced, no dead letters.
# Writes a Markdown report to bench/results/kafka-last-run.md and stops everything it started
# (trap), whatever happens; a watchdog stops it at BENCH_BUDGET seconds.
#
# Settings (environment): BENCH_KAFKA_SAMPLES (2000000), BENCH_KAFKA_BATCH (1000),
# BENCH_KAFKA_SERIES (10000), BENCH_KAFKA_PARTITIONS (4), BENCH_KAFKA_INFLIGHT (8, as
# VIGIL_KAFKA_MAX_INFLIGHT), BENCH_SKIP_BUILD (0), BENCH_JAR (a prebuilt jar; skips the build),
# BENCH_BUDGET (590), BENCH_VIGIL_JAVA_OPTS (-Xmx240m), BENCH_OUT (bench/results/kafka-last-run.md).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SAMPLES="${BENCH_KAFKA_SAMPLES:-2000000}"
BATCH="${BENCH_KAFKA_BATCH:-1000}"
SERIES="${BENCH_KAFKA_SERIES:-10000}"
PARTITIONS="${BENCH_KAFKA_PARTITIONS:-4}"
INFLIGHT="${BENCH_KAFKA_INFLIGHT:-8}"
BUDGET="${BENCH_BUDGET:-590}"
VIGIL_JAVA_OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx240m}"
OUT="${BENCH_OUT:-$BENCH/results/kafka-last-run.md}"

# ---- plan: ~15 s per 100k samples on 2 shared cores, plus start-up and production ----------
PLANNED=$(( 120 + SAMPLES / 100000 * 15 ))
[ "$PLANNED" -lt "$BUDGET" ] || die "plan needs ~${PLANNED}s (> BENCH_BUDGET=${BUDGET}s): lower BENCH_KAFKA_SAMPLES"
for tool in java mvn curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
PGBIN="$(pg_bindir)"

# ---- cleanup: everything this script started, and nothing else -----------------------------
BROKER_PID=""
bench_begin vigil-kbench "$BUDGET" "(logs in bench/results/kafka-last-run-*.log)"
at_exit_stop VIGIL_PID TERM
at_exit_stop BROKER_PID TERM
at_exit_keep "$WORK/vigil.log" "$BENCH/results/kafka-last-run-vigil.log"
at_exit_keep "$WORK/broker.log" "$BENCH/results/kafka-last-run-broker.log"

# ---- 1. build, and the Kafka jars (the test-scope broker's classpath, without Vigil's modules) ---
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && [ -z "${BENCH_JAR:-}" ]; then
  build_vigil "$ROOT/pom.xml" package 300 1 "$WORK/build.log"
fi
copy_jar "${BENCH_JAR:-$ROOT/server/target/vigil.jar}" "$WORK/vigil.jar"
run_child timeout 300 mvn -B -q -f "$ROOT/pom.xml" -pl server -am dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/cp.txt" >"$WORK/cp.log" 2>&1 || { tail -n 20 "$WORK/cp.log" >&2; die "could not resolve the Kafka jars"; }
KCP="$(tr ':' '\n' <"$WORK/cp.txt" | grep -v '/io/vigil/' | paste -sd: -)"
JLOG="-Dlogback.configurationFile=$BENCH/kafka/logback.xml"
say "build done at $(elapsed)s"

# ---- 2. throwaway PostgreSQL, fsync on ---------------------------------------------------
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT"

# ---- 3. Kafka broker (KRaft, broker + controller), its own JVM ------------------------------
KPORT="$(free_port)"; CPORT="$(free_port)"
cat >"$WORK/broker.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$KPORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KPORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$WORK/kafka-data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
java -cp "$KCP" $JLOG kafka.tools.StorageTool format -t "$(python3 -c 'import uuid,base64;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')" \
  -c "$WORK/broker.properties" >"$WORK/format.log" 2>&1 || { cat "$WORK/format.log" >&2; die "kafka-storage format failed"; }
java -Xmx1g -cp "$KCP" $JLOG kafka.Kafka "$WORK/broker.properties" >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$KPORT") 2>/dev/null && break; kill -0 "$BROKER_PID" 2>/dev/null || die "broker exited"; sleep 0.5; done
BOOT="127.0.0.1:$KPORT"
say "Kafka broker on $BOOT (pid $BROKER_PID) at $(elapsed)s"

# ---- 4. produce -----------------------------------------------------------------------------
TOPIC="bench-samples"
say "producing $SAMPLES samples in records of $BATCH ($SERIES series, $PARTITIONS partitions) …"
run_child timeout 300 java -Xmx512m -cp "$KCP" $JLOG "$BENCH/kafka/KafkaBench.java" produce --bootstrap="$BOOT" --topic="$TOPIC" \
  --partitions="$PARTITIONS" --samples="$SAMPLES" --batch="$BATCH" --series="$SERIES" >"$WORK/produce.out" 2>&1 \
  || { cat "$WORK/produce.out" >&2; die "producing failed"; }
P="$(grep '^PRODUCED' "$WORK/produce.out")"
RECORDS="$(kv "$P" records)"; BYTES="$(kv "$P" bytes)"
say "produced $RECORDS records, $(( BYTES / 1048576 )) MiB in $(kv "$P" seconds) s"

# ---- 5. Vigil consumes ----------------------------------------------------------------------
PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"
GROUP="vigil-bench"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$PORT" "$VIGIL_JAVA_OPTS" \
  VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil" VIGIL_ADMIN_TOKEN="vgl_bench_$$" VIGIL_RULES="$BENCH/rules.yaml" \
  VIGIL_KAFKA_BOOTSTRAP="$BOOT" VIGIL_KAFKA_TOPIC="$TOPIC" VIGIL_KAFKA_GROUP="$GROUP" VIGIL_KAFKA_MAX_INFLIGHT="$INFLIGHT"
CPU0="$(cpu_s "$VIGIL_PID")"
say "Vigil ready (pid $VIGIL_PID) at $(elapsed)s; consuming …"
run_child timeout $(( BUDGET - $(elapsed) )) java -Xmx256m -cp "$KCP" $JLOG "$BENCH/kafka/KafkaBench.java" await --bootstrap="$BOOT" \
  --topic="$TOPIC" --group="$GROUP" --timeout=$(( BUDGET - $(elapsed) - 20 )) >"$WORK/await.out" 2>&1 \
  || { cat "$WORK/await.out" >&2; die "the group's committed offset never reached the end"; }
A="$(grep '^AWAITED' "$WORK/await.out")"
SECS="$(kv "$A" seconds)"
CPU1="$(cpu_s "$VIGIL_PID")"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
HWM="$(hwm_mib "$VIGIL_PID")"
STORED="$(sql 'SELECT count(*) FROM samples')"
ACKED="$(metric "$URL" vigil_kafka_acknowledged_records_total)"
DLQ="$(metric "$URL" vigil_kafka_dead_letter_records_total)"
RETRIES="$(metric "$URL" vigil_kafka_sink_retries_total)"
RATE="$(awk -v n="$SAMPLES" -v s="$SECS" 'BEGIN {printf "%d", n / s}')"
CPU="$(awk -v a="$CPU0" -v b="$CPU1" 'BEGIN {printf "%.1f", b - a}')"
PROBLEMS=()
[ "$STORED" = "$SAMPLES" ] || PROBLEMS+=("stored $STORED samples but produced $SAMPLES")
[ "$ACKED" = "$RECORDS" ] || PROBLEMS+=("acknowledged $ACKED records but produced $RECORDS")
[ "$DLQ" = 0 ] || PROBLEMS+=("$DLQ records dead-lettered")
WARNS="$(grep -c 'level=WARN' "$WORK/vigil.log" || true)"; ERRS="$(grep -c 'level=ERROR' "$WORK/vigil.log" || true)"
[ "$WARNS$ERRS" = 00 ] || PROBLEMS+=("server log: $WARNS WARN and $ERRS ERROR lines, first: $(grep -m 3 -E 'level=(WARN|ERROR)' "$WORK/vigil.log" | cut -c 1-300 | tr '\n' ' ')")
say "-> $RATE samples/s ($SAMPLES in $SECS s), stored=$STORED, Vigil CPU ${CPU}s, peak RSS ${HWM} MiB"

# ---- 6. report -----------------------------------------------------------------------------
{
  echo "# Vigil Kafka ingest benchmark"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(elapsed) s in all, by \`bash bench/kafka.sh\`."
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) cores, $(cpu_model) |"
  echo "| Java | $(java -version 2>&1 | head -n 1); Vigil heap \`$VIGIL_JAVA_OPTS\` |"
  echo "| PostgreSQL | $("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), throwaway cluster, fsync=on, synchronous_commit=on |"
  echo "| Kafka | kafka_2.13 3.9.2 single-node KRaft broker (own JVM, -Xmx1g), $PARTITIONS partitions |"
  echo "| load average | $LOAD_BEFORE before consuming, $LOAD_AFTER after (other work shares these cores) |"
  echo
  echo "**Broker, Vigil and PostgreSQL share the same $(nproc) cores** over loopback."
  echo
  echo "$SAMPLES samples (\`bench_load\`, $SERIES series, every sample evaluated by a rule) in $RECORDS records of $BATCH, $(( BYTES / 1048576 )) MiB of JSON, produced before Vigil starts. Timed from Vigil's \`/readyz\` (the consumer subscribes then; group join included) until the group's committed offset reaches the end of every partition. Offsets are committed only after the record's samples are committed in PostgreSQL (\`VIGIL_KAFKA_MAX_INFLIGHT=$INFLIGHT\`, commit interval 1 s)."
  echo
  echo "| samples | records | seconds | samples/s | Vigil CPU s | Vigil peak RSS MiB | stored | acknowledged records | dead letters | sink retries |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  echo "| $SAMPLES | $RECORDS | $SECS | **$RATE** | $CPU | $HWM | $STORED | $ACKED | $DLQ | $RETRIES |"
  echo
  problems_section "None: stored = produced, every record acknowledged, no dead letters, no server warnings." "${PROBLEMS[@]}"
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
[ ${#PROBLEMS[@]} = 0 ] || exit 1
