#!/usr/bin/env bash
# Turn benchmark (TurnBench): starts PostgreSQL and Kafka as the tests do, the offline narrator (the
# OpenAI-compatible stand-in for LLM providers) in this JVM, and packaged auth-service,
# keyvault-service and turn-service on free ports, wired as the local launcher wires them; then
# measures, in one run, POST /campaigns/{id}/turns (cleaning, injection heuristics, token exchange,
# broker, offline narrator, patch applied under the campaign lock) beside GET /campaigns/{id} (a
# bare authenticated endpoint of the same service) at 1, 16 and 64 concurrent players, one campaign
# each: turns/s, p50 and p99. Bench-only: the per-player turn limit and auth-service's sign-up and
# login limits are raised (every bench player comes from 127.0.0.1). Machines here are noisy: read
# the differences within a run, not the absolute figures.
# Usage: bench/turn/turns.sh [seconds per measurement=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f bench/target/bench-classpath.txt ] || [ ! -f turn-service/target/quarkus-app/quarkus-run.jar ]; then
  mvn -B -q -ntp package -pl bench -am -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi
exec java -Xmx512m -Dwhispyrkeep.root="$PWD" \
  -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.TurnBench "${1:-10}"
