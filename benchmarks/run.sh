#!/usr/bin/env bash
# Builds benchmarks/target/benchmarks.jar and runs the JMH suite on this machine.
#
#   benchmarks/run.sh            full run (about 21 min on 2 cores): JSON in
#                                benchmarks/results/full.json, tables rewritten in docs/BENCHMARKS.md
#   benchmarks/run.sh --quick    quick run (~2 min): 5 nodes only, bank at its default tick, 1 s warm-up
#                                and 1 s measurement;
#                                JSON in benchmarks/results/quick.json, tables in benchmarks/results/quick.md
#
# Extra arguments go to JMH, e.g. `benchmarks/run.sh --quick FloorBenchmark` or `-prof jfr`.
# Everything binds 127.0.0.1 only; nothing is asserted, everything is measured.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
label="benchmarks/run.sh"
if [[ "${1:-}" == "--quick" ]]; then
  mode=quick
  label="benchmarks/run.sh --quick"
  shift
fi
for a in "$@"; do label+=" $a"; done

mvn -B -q -pl benchmarks -am package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
mkdir -p benchmarks/results
json="benchmarks/results/${mode}.json"

jmh=(java -jar benchmarks/target/benchmarks.jar -rf json -rff "$json")
if [[ "$mode" == quick ]]; then
  # No -p store: CoreBenchmark's store (none, memory) and GrpcClusterBenchmark's (memory,
  # chronicle-power, chronicle-process) share the name, and only "memory" is valid for both.
  jmh+=(-wi 1 -w 1 -i 1 -r 1 -p nodes=5 -p submitAt=all -p tickMillis=10)
  out=benchmarks/results/quick.md
else
  out=docs/BENCHMARKS.md
fi
if [[ $# -eq 0 ]]; then
  # RecoveryBenchmark writes a history of up to 1,000,000 entries per trial: run it on its own
  # (docs/BENCHMARKS.md, "RecoveryBenchmark").
  jmh+=(-e RecoveryBenchmark)
fi
jmh+=("$@")

echo "running: ${jmh[*]}"
# The build above raises the 1-minute load by itself: wait (at most LOAD_WAIT_SECONDS, default
# 300) until it is below LOAD_QUIET (default 1.5), so that the run starts on a quiet machine.
# A machine that stays busy still runs, and the report shows the load it started at.
quiet=${LOAD_QUIET:-1.5}
for (( waited = 0; waited < ${LOAD_WAIT_SECONDS:-300}; waited += 10 )); do
  awk -v q="$quiet" '{ exit !($1 < q) }' /proc/loadavg && break
  (( waited == 0 )) && echo "waiting for the 1-minute load to fall below $quiet"
  sleep 10
done
# The machine is shared: the load average before and after goes into the report with the command.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
"${jmh[@]}"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
java -cp benchmarks/target/benchmarks.jar dev.modpaxos.benchmarks.Report \
  "--load-before=$load_before" "--load-after=$load_after" "$json" "$out" \
  "$label" "# which runs: ${jmh[*]}" \
  "# wall time $(( $(date +%s) - start )) s; load average (1, 5, 15 min) before: $load_before, after: $load_after"
