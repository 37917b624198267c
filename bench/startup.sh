#!/usr/bin/env bash
# Start-up to ready (issue 16): the runnable jar started BENCH_STARTS times (5) each way,
# interleaved, against one throwaway PostgreSQL (schema already migrated, as on any start after the
# first): plain, and with the AppCDS archive `./vigil run` keeps (-XX:SharedArchiveFile, recorded
# here by one run with -XX:ArchiveClassesAtExit). Time = from `java` started to /readyz 200.
# Settings: BENCH_STARTS (5), BENCH_JAR (else mvn package -DskipTests), BENCH_VIGIL_JAVA_OPTS
# (-Xmx240m), BENCH_OUT (bench/results/startup-last-run.md).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
N="${BENCH_STARTS:-5}"
OPTS="${BENCH_VIGIL_JAVA_OPTS:--Xmx240m}"
OUT="${BENCH_OUT:-$BENCH/results/startup-last-run.md}"
bench_begin vigil-startup $(( 120 + N * 40 ))
at_exit_stop VIGIL_PID TERM
bench_jar "$ROOT"
PGBIN="$(pg_bindir)"
PGPORT="$(free_port)"
pg_start "$PGBIN" "$WORK/pg" "$PGPORT"
JSA="$WORK/vigil.jsa"
# once: start, ready, stop
start_ms() {
  local port t0 t1; port="$(free_port)"; t0=$(date +%s%N)
  start_vigil "$WORK/vigil.jar" "$WORK/vigil.log" "$port" "$OPTS $1" VIGIL_ADMIN_TOKEN="$(new_token)" \
    VIGIL_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/vigil"
  t1=$(date +%s%N)
  stop_pid "$VIGIL_PID" TERM; VIGIL_PID=""
  echo $(( (t1 - t0) / 1000000 ))
}
say "first start (migrations) and the archive's recording run …"
FIRST="$(start_ms "")"
RECORD="$(start_ms "-XX:ArchiveClassesAtExit=$JSA -Xlog:cds=off -Xlog:cds+dynamic=off")"
[ -s "$JSA" ] || die "no archive was written"
PLAIN=(); CDS=()
for i in $(seq 1 "$N"); do
  PLAIN+=("$(start_ms "")"); CDS+=("$(start_ms "-XX:SharedArchiveFile=$JSA")")
  say "  start $i: plain ${PLAIN[-1]} ms, AppCDS ${CDS[-1]} ms"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
{
  echo "# Start-up to ready"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/startup.sh\`, $(elapsed) s; $(nproc) cores ($(cpu_model)), heap \`$OPTS\`, $(java -version 2>&1 | head -n 1)."
  echo "From \`java\` started to \`/readyz\` 200, against a migrated database; $N starts each way, interleaved."
  echo
  echo "| | median ms | all (ms) |"
  echo "|---|---:|---|"
  echo "| plain | **$(med "${PLAIN[@]}")** | ${PLAIN[*]} |"
  echo "| AppCDS archive (as \`./vigil run\` after its first run) | **$(med "${CDS[@]}")** | ${CDS[*]} |"
  echo
  echo "First start on an empty database (migrations): $FIRST ms. The recording run: $RECORD ms to ready; archive $(( $(stat -c %s "$JSA") / 1048576 )) MiB."
} >"$WORK/report.md"
publish_report "$WORK/report.md" "$OUT"
