#!/usr/bin/env bash
# Broker benchmark (BrokerBench): starts PostgreSQL and Kafka as the tests do, the offline narrator
# (the OpenAI-compatible stand-in for LLM providers) in this JVM and a packaged keyvault-service on
# a free port with the embedded transit engine, then measures, in one run, calls through
# POST /internal/llm/offline/chat beside the same call made to the narrator directly, at 1 and 16
# concurrent callers: calls/s, p50 and p99, and what the broker adds. Machines here are noisy: read
# the differences within a run, not the absolute figures.
# Usage: bench/keyvault/broker.sh [seconds per measurement=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f bench/target/bench-classpath.txt ] || [ ! -f keyvault-service/target/quarkus-app/quarkus-run.jar ]; then
  mvn -B -q -ntp package -pl bench -am -DskipTests -Dspotless.check.skip=true -Dspotbugs.skip=true -Dcyclonedx.skip=true
fi
exec java -Xmx512m -Dwhispyrkeep.root="$PWD" \
  -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  io.whispyrkeep.bench.BrokerBench "${1:-10}"
